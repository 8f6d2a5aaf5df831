package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Tensor;

/** Bias gradients: the sum over rows of a (rows × columns) tensor, in row order so results do not depend on threads. */
final class ColumnSums {

    private ColumnSums() {
    }

    static void of(Tensor matrix, int rows, int columns, Tensor sums) {
        if (matrix.floats() != null) {
            float[] m = matrix.floats();
            float[] s = sums.floats();
            java.util.Arrays.fill(s, 0, columns, 0f);
            for (int r = 0; r < rows; r++) {
                int base = r * columns;
                for (int c = 0; c < columns; c++) {
                    s[c] += m[base + c];
                }
            }
        } else {
            double[] m = matrix.doubles();
            double[] s = sums.doubles();
            java.util.Arrays.fill(s, 0, columns, 0.0);
            for (int r = 0; r < rows; r++) {
                int base = r * columns;
                for (int c = 0; c < columns; c++) {
                    s[c] += m[base + c];
                }
            }
        }
    }
}
