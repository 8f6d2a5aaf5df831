package io.simdnet.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
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
 * single-threaded, so it runs on one thread only.
 *
 * <p>The implementation is chosen by name, never by {@code BLAS.getInstance()}: that returns {@code JNIBLAS}
 * (native OpenBLAS, on every core) whenever a system BLAS such as Debian's {@code libopenblas0-pthread} is
 * installed, which would report a multi-threaded native sgemm as netlib's one-thread Java one. {@code blas=java}
 * (the default, what docs/results.md's netlib column shows) takes {@code JavaBLAS.getInstance()} and refuses to run
 * unless that is the Vector API {@code VectorBLAS}; {@code -p blas=native} measures {@code NativeBLAS} for
 * comparison and fails when no native library loads. The class that ran is printed at setup and the choice is
 * recorded as a parameter in the JMH result, which report.py turns into the column name.
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

    /** Reported by report.py in the netlib columns. */
    @Param({"netlib"})
    public String impl;

    /** Which netlib implementation runs: {@code java} (VectorBLAS) or {@code native} (JNIBLAS over a system BLAS). */
    @Param({"java"})
    public String blas;

    private MatmulShape s;
    private BLAS implementation;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        s = MatmulShape.parse(shape);
        implementation = implementation(blas);
        System.out.println("netlib BLAS implementation (blas=" + blas + "): " + implementation.getClass().getName());
        SplittableRandom random = new SplittableRandom(42);
        a = BenchData.random(random, s.m() * s.k());
        b = BenchData.random(random, s.k() * s.n());
        c = new float[s.m() * s.n()];
    }

    /** The netlib implementation a {@code blas} parameter names; fails rather than measure another one. */
    static BLAS implementation(String name) {
        switch (name) {
            case "java" -> {
                BLAS java = JavaBLAS.getInstance();
                // netlib falls back to its scalar Java11BLAS when the Vector API module is not resolved.
                if (!java.getClass().getSimpleName().equals("VectorBLAS")) {
                    throw new IllegalStateException("netlib blas=java: expected dev.ludovic.netlib.blas.VectorBLAS, got "
                            + java.getClass().getName() + " (is --add-modules=jdk.incubator.vector set?)");
                }
                return java;
            }
            case "native" -> {
                try {
                    return NativeBLAS.getInstance();
                } catch (RuntimeException | LinkageError e) {
                    throw new IllegalStateException("netlib blas=native: no native BLAS could be loaded (" + e.getMessage()
                            + "); install one, e.g. Debian's libopenblas0-pthread", e);
                }
            }
            default -> throw new IllegalArgumentException("netlib blas='" + name + "', expected java or native");
        }
    }

    @Benchmark
    public float[] gemm() {
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ.
        String transB = s.form() == GemmForm.NT ? "T" : "N";
        String transA = s.form() == GemmForm.TN ? "T" : "N";
        int ldb = s.form() == GemmForm.NT ? s.k() : s.n();
        int lda = s.form() == GemmForm.TN ? s.m() : s.k();
        implementation.sgemm(transB, transA, s.n(), s.m(), s.k(), 1f, b, ldb, a, lda, 0f, c, s.n());
        return c;
    }
}
