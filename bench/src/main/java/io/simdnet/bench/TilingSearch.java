package io.simdnet.bench;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import io.simdnet.kernel.spec.VectorTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small autotuner: times candidate tilings of one float GEMM shape (generated and compiled at run time) and
 * prints them fastest first, so a catalog line can pin the winner. Timing is wall clock, median of repeats:
 * a guide for choosing defaults, not a benchmark (use {@link MatmulBench} for figures).
 *
 * <p>Usage: {@code bin/java25 -cp bench/target/benchmarks.jar io.simdnet.bench.TilingSearch 1024x1024x1024:NN [threads]}
 * with optional candidate lines {@code mr,nrv,kc,nc,mc,packA,packB} after it.
 */
public final class TilingSearch {

    private TilingSearch() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: TilingSearch MxKxN:FORM [threads] [mr,nrv,kc,nc,mc,packA,packB ...]");
        }
        MatmulShape shape = MatmulShape.parse(args[0]);
        KernelPool.setThreads(args.length > 1 ? Integer.parseInt(args[1]) : 1);
        List<GemmTiling> candidates = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] p = args[i].split(",");
            candidates.add(new GemmTiling(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                    Integer.parseInt(p[4]), VectorTarget.host(), Boolean.parseBoolean(p[5]), Boolean.parseBoolean(p[6])));
        }
        if (candidates.isEmpty()) {
            candidates.add(GemmTiling.defaultsFor(DType.F32, shape.form(), shape.k(), shape.n(), VectorTarget.host()));
        }
        float[] a = new float[shape.m() * shape.k()];
        float[] b = new float[shape.k() * shape.n()];
        float[] c = new float[shape.m() * shape.n()];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 0.25f);
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(false, true, null));
        for (GemmTiling tiling : candidates) {
            GemmSpec spec = GemmSpec.of(DType.F32, shape.form(), shape.k(), shape.n(), false, false).withTiling(tiling);
            FloatGemmKernel kernel = registry.floatGemm(spec);
            int calls = (int) Math.max(3, Math.min(20_000, 2e10 / shape.flops()));
            double[] seconds = new double[7];
            for (int warm = 0; warm < 3; warm++) {
                time(kernel, shape, a, b, c, calls);
            }
            for (int r = 0; r < seconds.length; r++) {
                seconds[r] = time(kernel, shape, a, b, c, calls) / calls;
            }
            Arrays.sort(seconds);
            double gflops = shape.flops() / seconds[seconds.length / 2] / 1e9;
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            time(kernel, shape, a, b, c, calls);
            double bytesPerCall = (double) (threads.getCurrentThreadAllocatedBytes() - before) / calls;
            System.out.printf("%8.1f GFLOP/s %8.1f B/call  %s%n", gflops, bytesPerCall, spec.key());
        }
    }

    private static double time(FloatGemmKernel kernel, MatmulShape shape, float[] a, float[] b, float[] c, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            kernel.gemm(shape.m(), a, 0, b, 0, null, c, 0);
        }
        return (System.nanoTime() - start) * 1e-9;
    }
}
