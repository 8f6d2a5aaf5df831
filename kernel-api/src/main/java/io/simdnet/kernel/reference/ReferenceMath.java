package io.simdnet.kernel.reference;

/** Element-wise helpers the references and the kernel testers share. */
public final class ReferenceMath {

    private ReferenceMath() {
    }

    /**
     * |x| element-wise, or null for null (an absent bias). A reference run on absolute values gives Σ|terms|
     * of each result, the scale its float rounding error is bounded by.
     */
    public static double[] abs(double[] x) {
        if (x == null) {
            return null;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }
}
