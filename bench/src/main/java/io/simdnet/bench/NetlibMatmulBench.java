package io.simdnet.bench;

import dev.ludovic.netlib.blas.BLAS;
import io.simdnet.kernel.spec.GemmForm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * netlib's Java BLAS (dev.ludovic.netlib 3.0.4, whose sgemm is written with the Vector API) on the shapes of
 * {@link MatmulBench}, an established Java library to compare the generated kernels with. It is
 * single-threaded, so it runs on one thread only. The class it picked is printed at setup: a native BLAS
 * would only be used if one were configured, which this project does not do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g"})
public class NetlibMatmulBench {

    @Param({"64x64x64:NN", "128x128x128:NN", "256x256x256:NN", "512x512x512:NN", "1024x1024x1024:NN", "2048x2048x2048:NN",
        "32x784x128:NN", "128x784x128:NN", "128x128x64:NN", "128x64x10:NN", "128x128x10:NN", "32x120x84:NN",
        "128x3072x100:NN", "1024x3072x100:NN", "1024x256x64:NN", "128x784x128:NT", "128x784x128:TN", "128x128x784:NT", "784x128x128:TN"})
    public String shape;

    /** Reported by report.py in the netlib column. */
    @Param({"netlib"})
    public String impl;

    private MatmulShape s;
    private BLAS blas;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        s = MatmulShape.parse(shape);
        blas = BLAS.getInstance();
        System.out.println("netlib BLAS implementation: " + blas.getClass().getName());
        SplittableRandom random = new SplittableRandom(42);
        a = BenchData.random(random, s.m() * s.k());
        b = BenchData.random(random, s.k() * s.n());
        c = new float[s.m() * s.n()];
    }

    @Benchmark
    public float[] gemm() {
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ.
        String transB = s.form() == GemmForm.NT ? "T" : "N";
        String transA = s.form() == GemmForm.TN ? "T" : "N";
        int ldb = s.form() == GemmForm.NT ? s.k() : s.n();
        int lda = s.form() == GemmForm.TN ? s.m() : s.k();
        blas.sgemm(transB, transA, s.n(), s.m(), s.k(), 1f, b, ldb, a, lda, 0f, c, s.n());
        return c;
    }
}
