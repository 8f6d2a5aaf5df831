package io.simdnet.codegen.gen;

import com.palantir.javapoet.JavaFile;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;

/** Picks the generator for a spec kind. A pure function: the same spec and version give the same text. */
public final class KernelGenerator {

    private KernelGenerator() {
    }

    public static JavaFile generate(KernelSpec spec) {
        return switch (spec) {
            case GemmSpec gemm -> GemmGenerator.generate(gemm);
            case Conv2dSpec conv -> switch (conv.plan().algorithm()) {
                case DENSE -> DenseConv2dGenerator.generate(conv);
                case IM2COL -> Conv2dGenerator.generate(conv);
                case DIRECT -> DirectConv2dGenerator.generate(conv);
                case AUTO -> throw new IllegalStateException("a plan never leaves AUTO: " + conv.key());
            };
            case Pool2dSpec pool -> Pool2dGenerator.generate(pool);
        };
    }

    /** Whether the class generated for {@code spec} is constructed with a {@link io.simdnet.kernel.KernelLookup} (it calls other kernels). */
    public static boolean takesLookup(KernelSpec spec) {
        return spec instanceof Conv2dSpec conv && conv.plan().algorithm() != Conv2dAlgorithm.DIRECT;
    }

    /** Fully qualified name of the class generated for {@code spec}. */
    public static String qualifiedName(KernelSpec spec) {
        return KernelTypes.GENERATED_PACKAGE + "." + spec.className();
    }
}
