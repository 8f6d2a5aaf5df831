package io.simdnet.bench;

import io.simdnet.kernel.spec.GemmForm;

/** A benchmark GEMM shape written as {@code MxKxN:FORM} (the shapes and forms of {@code ../shared/peers/gemm.py}). */
record MatmulShape(int m, int k, int n, GemmForm form) {

    static MatmulShape parse(String text) {
        String[] parts = text.split("[x:]");
        if (parts.length != 4) {
            throw new IllegalArgumentException("matmul shape '" + text + "': expected MxKxN:FORM such as 128x784x128:NN");
        }
        return new MatmulShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), GemmForm.valueOf(parts[3]));
    }
}
