package io.simdnet.engine.kernel;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.nio.file.Path;

/**
 * Run in a JVM started with other vector flags by {@link VectorWidthDetectionTest}: prints the detected target,
 * where the registry found a catalog GEMM for it, the class that serves it, and the largest error of one
 * product against the double reference.
 */
public final class WidthProbe {

    private WidthProbe() {
    }

    public static void main(String[] args) {
        VectorTarget target = VectorTarget.host();
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(true, true, Path.of(args[0])));
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false);
        FloatGemmKernel kernel = registry.floatGemm(spec);
        int m = 37;
        float[] a = new float[m * 784];
        float[] b = new float[784 * 128];
        float[] bias = new float[128];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 13 - 6) / 8f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 7 - 3) / 4f;
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = i / 64f;
        }
        float[] c = new float[m * 128];
        kernel.gemm(m, a, 0, b, 0, bias, c, 0);
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < 128; j++) {
                double sum = bias[j];
                for (int p = 0; p < 784; p++) {
                    sum += (double) a[i * 784 + p] * b[p * 128 + j];
                }
                worst = Math.max(worst, Math.abs(sum - c[i * 128 + j]));
            }
        }
        System.out.println("target=" + target.bits() + "/" + target.registers());
        System.out.println("origin=" + registry.origin(spec));
        System.out.println("class=" + kernel.getClass().getSimpleName());
        System.out.println("error=" + worst);
    }
}
