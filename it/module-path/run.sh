#!/usr/bin/env bash
# Compiles and runs a tiny consumer (src/) on the module path, as an application that puts
# nettyjobs on its module path would: the library jars from scheduler/target and
# http-integration/target, plus the Netty jars that the same build resolves. Build the jars first
# (mvn -B package, or verify). Extra arguments go to Maven, e.g. -Pnetty41 to take Netty 4.1's jars.
#
#   it/module-path/run.sh [-Pnetty41]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/target/module-path-it"
rm -rf "$out" && mkdir -p "$out"

library_jar() { # the main jar of a module, not its -sources, -javadoc or -tests jar
  local jar
  jar="$(ls "$root/$1"/target/"$2"-*.jar 2>/dev/null \
      | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' -e '-tests\.jar$' | head -n 1 || true)"
  if [ -z "$jar" ]; then
    echo "module-path check: no $2 jar in $1/target: run mvn -B package first" >&2
    exit 1
  fi
  echo "$jar"
}
scheduler_jar="$(library_jar scheduler nettyjobs-scheduler)"
http_jar="$(library_jar http-integration nettyjobs-http)"

# The http module's runtime dependencies, less nettyjobs itself (replaced by the jars above). The
# phases up to test-compile (up to date, and the tests skipped: nothing is compiled again) let Maven
# resolve the modules from this build rather than from the local repository, the scheduler's test
# fixtures too (the goal resolves test dependencies before it filters them).
mvn -B -q -Dstyle.color=never -f "$root/pom.xml" -pl test-support,scheduler,http-integration "$@" \
    -Dmaven.test.skip=true test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.regenerateFile=true
netty_jars="$(tr ':' '\n' < "$root/http-integration/target/runtime-classpath.txt" \
    | grep '\.jar$' | grep -v -e '/nettyjobs-' | sort -u | paste -sd: -)"
module_path="$scheduler_jar:$http_jar:$netty_jars"

for jar in "$scheduler_jar" "$http_jar"; do
  echo "== $(basename "$jar")"
  (cd "$out" && jar xf "$jar" META-INF/MANIFEST.MF && grep -i '^Automatic-Module-Name' META-INF/MANIFEST.MF | tr -d '\r')
  jar --describe-module --file "$jar" | grep -v "^$"
done

echo "== javac --module-path ($(echo "$netty_jars" | tr ':' '\n' | sed 's|.*/||' | grep '^netty-common' ))"
javac -Xlint:all,-requires-automatic -Werror --module-path "$module_path" -d "$out/classes" \
    $(find "$here/src" -name '*.java')
java --module-path "$out/classes:$module_path" \
    --module io.github.nettyjobs.consumer/io.github.nettyjobs.consumer.Main
