package io.simdnet.engine.profile;

import io.simdnet.kernel.Kernel;
import java.util.Arrays;

/**
 * An op's rows in a {@link Profiler}, one per method of its kernel ({@code forward}, {@code backwardData}, …), looked
 * up once per profiler and served kernel and kept here, so a profiled kernel call finds its row without a map or an
 * allocation. A new served kernel (tuning finished in the background) gets rows of its own, with its own spec.
 */
public final class KernelRows {

    private final String[] methods;
    private final int[] rows;
    private Profiler profiler;
    private Kernel kernel;

    /** Rows for an op whose methods, numbered from 0, are {@code methods}. */
    public KernelRows(String... methods) {
        this.methods = methods.clone();
        this.rows = new int[methods.length];
    }

    int row(Profiler p, int method, Kernel served) {
        if (p != profiler || served != kernel) {
            profiler = p;
            kernel = served;
            Arrays.fill(rows, -1);
        }
        int row = rows[method];
        if (row < 0) {
            row = p.kernelRow(methods[method], served.spec());
            rows[method] = row;
        }
        return row;
    }
}
