package io.simdnet.bench;

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
 * The plain i-k-j triple loop, single-threaded, as the floor the kernels are measured from. Separate from
 * {@link MatmulBench} because on the largest squares it would take minutes per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xmx4g"})
public class NaiveMatmulBench {

    @Param({"64x64x64:NN", "128x128x128:NN", "256x256x256:NN", "512x512x512:NN",
        "32x784x128:NN", "128x784x128:NN", "128x128x64:NN", "128x64x10:NN", "128x128x10:NN", "32x120x84:NN",
        "128x3072x100:NN", "1024x256x64:NN", "128x784x128:NT", "128x784x128:TN", "128x128x784:NT", "784x128x128:TN"})
    public String shape;

    private MatmulShape s;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        s = MatmulShape.parse(shape);
        SplittableRandom random = new SplittableRandom(42);
        a = new float[s.m() * s.k()];
        b = new float[s.k() * s.n()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextDouble();
        }
        c = new float[s.m() * s.n()];
    }

    @Benchmark
    public float[] gemm() {
        int m = s.m();
        int k = s.k();
        int n = s.n();
        GemmForm form = s.form();
        java.util.Arrays.fill(c, 0f);
        for (int i = 0; i < m; i++) {
            for (int kk = 0; kk < k; kk++) {
                float aik = form == GemmForm.TN ? a[kk * m + i] : a[i * k + kk];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * (form == GemmForm.NT ? b[j * k + kk] : b[kk * n + j]);
                }
            }
        }
        return c;
    }
}
