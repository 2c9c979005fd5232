/**
 * Helpers shared by nettyjobs' own packages and modules. Not an API: anything here may change in
 * any release.
 */
package io.github.nettyjobs.internal;
