package io.simdnet.kernel.spec;

/**
 * Which operands of C = op(A)·op(B) are transposed. All matrices are row-major; C is M×N.
 *
 * <ul>
 *   <li>{@link #NN}: A is M×K, B is K×N (a dense layer's forward pass, weights stored in×out).
 *   <li>{@link #NT}: A is M×K, B is stored N×K and used transposed (dX = dY·Wᵀ).
 *   <li>{@link #TN}: A is stored K×M and used transposed, B is K×N (dW = Xᵀ·dY).
 * </ul>
 */
public enum GemmForm {
    NN,
    NT,
    TN;

    public boolean transposeA() {
        return this == TN;
    }

    public boolean transposeB() {
        return this == NT;
    }
}
