/**
 * The report tool: runs or reads the JMH suite and writes its results as Markdown tables and SVG
 * charts.
 */
package io.github.nettyjobs.benchmarks.report;
