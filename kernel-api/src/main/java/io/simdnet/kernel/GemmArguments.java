package io.simdnet.kernel;

import io.simdnet.kernel.spec.GemmSpec;

/** Checks a GEMM call against its spec before any kernel touches memory, with messages that name the operand. */
public final class GemmArguments {

    private GemmArguments() {
    }

    public static void check(GemmSpec spec, int m, float[] a, int aOffset, float[] b, int bOffset, float[] bias, float[] c, int cOffset) {
        check(spec, m, length("A", a), aOffset, length("B", b), bOffset, bias == null ? -1 : bias.length, length("C", c), cOffset);
    }

    public static void check(GemmSpec spec, int m, double[] a, int aOffset, double[] b, int bOffset, double[] bias, double[] c, int cOffset) {
        check(spec, m, length("A", a), aOffset, length("B", b), bOffset, bias == null ? -1 : bias.length, length("C", c), cOffset);
    }

    private static int length(String operand, Object array) {
        if (array == null) {
            throw new IllegalArgumentException("GEMM: operand " + operand + " is null");
        }
        return java.lang.reflect.Array.getLength(array);
    }

    /** @param biasLength -1 when no bias array was given */
    static void check(GemmSpec spec, int m, int aLength, int aOffset, int bLength, int bOffset, int biasLength, int cLength, int cOffset) {
        if (m < 0) {
            throw new IllegalArgumentException("GEMM " + shape(spec, m) + ": M = " + m + ", expected M >= 0");
        }
        String a = spec.form().transposeA() ? "A (K×M, stored transposed)" : "A (M×K)";
        String b = spec.form().transposeB() ? "B (N×K, stored transposed)" : "B (K×N)";
        operand(spec, m, a, aLength, aOffset, (long) m * spec.k());
        operand(spec, m, b, bLength, bOffset, (long) spec.k() * spec.n());
        operand(spec, m, "C (M×N)", cLength, cOffset, (long) m * spec.n());
        if (spec.bias() && biasLength < 0) {
            throw new IllegalArgumentException("GEMM " + shape(spec, m) + ": the spec has a bias but none was given");
        }
        if (!spec.bias() && biasLength >= 0) {
            throw new IllegalArgumentException("GEMM " + shape(spec, m) + ": a bias was given but the spec has none");
        }
        if (spec.bias() && biasLength != spec.n()) {
            throw new IllegalArgumentException("GEMM " + shape(spec, m) + ": bias has length " + biasLength + ", expected N = " + spec.n());
        }
    }

    private static void operand(GemmSpec spec, int m, String name, int length, int offset, long needed) {
        if (offset < 0 || offset + needed > length) {
            throw new IllegalArgumentException("GEMM " + shape(spec, m) + ": " + name + " needs " + needed + " elements from offset "
                    + offset + ", but the array has length " + length);
        }
    }

    private static String shape(GemmSpec spec, int m) {
        return spec.form() + " (M, K, N) = (" + m + ", " + spec.k() + ", " + spec.n() + ")";
    }
}
