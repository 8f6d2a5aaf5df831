package io.simdnet.cli;

import java.util.Locale;

/**
 * The face exercise's output-shape questions, answered with the two conventions a student meets: PyTorch's
 * explicit padding, floor((I + 2P − K) / S) + 1, and TensorFlow's 'SAME' (⌈I / S⌉, padding added as needed, the odd
 * extra row at the bottom) and 'VALID' (⌈(I − K + 1) / S⌉). simdnet's {@code Padding.of(p)}, {@code same()} and
 * {@code valid()} follow the same rules (tested against the layers).
 */
final class OutputShapes {

    private OutputShapes() {
    }

    static int explicit(int input, int kernel, int stride, int padding) {
        return Math.floorDiv(input + 2 * padding - kernel, stride) + 1;
    }

    static int same(int input, int stride) {
        return Math.ceilDiv(input, stride);
    }

    static int valid(int input, int kernel, int stride) {
        return Math.ceilDiv(input - kernel + 1, stride);
    }

    /** TensorFlow's total 'SAME' padding: max((⌈I/S⌉ − 1)·S + K − I, 0), the larger half after. */
    static int samePaddingTotal(int input, int kernel, int stride) {
        return Math.max((same(input, stride) - 1) * stride + kernel - input, 0);
    }

    static String answers() {
        StringBuilder t = new StringBuilder("Output shapes (input 32×32):\n");
        line(t, "conv 5×5, stride 1, padding 1 (PyTorch padding=1)", explicit(32, 5, 1, 1));
        line(t, "conv 5×5, stride 1, no padding ('VALID')", valid(32, 5, 1));
        line(t, "conv 5×5, stride 1, 'SAME' (TensorFlow; total padding " + samePaddingTotal(32, 5, 1) + ")", same(32, 1));
        line(t, "conv 5×5, stride 2, 'SAME' (⌈32/2⌉; total padding " + samePaddingTotal(32, 5, 2) + ", 1 before, 2 after)", same(32, 2));
        line(t, "conv 5×5, stride 2, 'VALID' (⌈28/2⌉)", valid(32, 5, 2));
        line(t, "max-pool 3×3, stride 2, 'SAME' (⌈32/2⌉)", same(32, 2));
        line(t, "max-pool 3×3, stride 2, 'VALID' (⌈30/2⌉)", valid(32, 3, 2));
        line(t, "max-pool 3×3, stride 2, padding 1 (PyTorch; this network)", explicit(32, 3, 2, 1));
        t.append(String.format(Locale.ROOT, "  %-70s %s%n", "'SAME' on an odd input, 33, stride 2: TensorFlow rounds up", same(33, 2) + "×" + same(33, 2)));
        t.append("This network: 1×32×32 → conv 32×32×32 → pool 32×16×16 → flatten 8192 → 384 → 192 → classes\n");
        return t.toString();
    }

    private static void line(StringBuilder t, String question, int size) {
        t.append(String.format(Locale.ROOT, "  %-70s %d×%d%n", question, size, size));
    }
}
