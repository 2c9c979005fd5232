package io.github.nettyjobs.benchmarks.report;

import java.util.Locale;

/**
 * The few SVG elements the reports' charts use, appended as text: enough for bars, lines and labels
 * without a charting library. Not thread-safe; one instance draws one chart.
 */
public final class Svg {

    private static final String FONT = "font-family=\"sans-serif\" font-size=\"12\"";

    private final StringBuilder out = new StringBuilder();
    private final int width;

    /**
     * Starts a chart of this size on a white background.
     *
     * @param width  in pixels
     * @param height in pixels
     */
    public Svg(int width, int height) {
        this.width = width;
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\">%n", width, height, width, height));
        out.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
    }

    /** Writes the title, centred at the top, and {@code subtitle} under it unless empty (both escaped here). */
    public void title(String title, String subtitle) {
        out.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-family=\"sans-serif\" "
                + "font-size=\"15\" font-weight=\"bold\">%s</text>%n", width / 2, escape(title)));
        if (!subtitle.isEmpty()) {
            out.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"44\" text-anchor=\"middle\" %s fill=\"#4a5568\">%s</text>%n",
                    width / 2, FONT, escape(subtitle)));
        }
    }

    /** Writes text already escaped, anchored {@code start}, {@code middle} or {@code end} at (x, y). */
    public void text(double x, double y, String anchor, String escaped) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n",
                x, y, anchor, FONT, escaped));
    }

    /** Writes text already escaped, turned to read upwards, centred at (x, y): an axis label. */
    public void verticalText(double x, double y, String escaped) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" %s "
                + "transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n", x, y, FONT, x, y, escaped));
    }

    /** Draws a filled rectangle. */
    public void rect(double x, double y, double w, double h, String fill) {
        out.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                x, y, w, h, fill));
    }

    /** Draws a line; {@code dash} is an SVG dash array, or {@code null} for a solid line. */
    public void line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth, String dash) {
        out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"%.1f\"%s/>%n", x1, y1, x2, y2, stroke, strokeWidth,
                dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
    }

    /** Draws a filled circle. */
    public void circle(double x, double y, double r, String fill) {
        out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n", x, y, r,
                fill));
    }

    /** Draws an open line through {@code points} ("x,y x,y ..."); {@code dash} as for {@link #line}. */
    public void polyline(String points, String stroke, String dash) {
        out.append(String.format(Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                points, stroke, dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
    }

    /** Closes the chart and returns its text. */
    public String finish() {
        return out.append("</svg>\n").toString();
    }

    /**
     * Returns 1, 2, 2.5 or 5 times a power of ten, at least {@code v}: the top of an axis.
     *
     * @param v the largest value to show
     * @return a round number at least {@code v}; 1 if {@code v} is not positive
     */
    public static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /**
     * Returns {@code s} escaped for SVG text.
     *
     * @param s any text
     * @return {@code s} with {@code &}, {@code <} and {@code >} escaped
     */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
