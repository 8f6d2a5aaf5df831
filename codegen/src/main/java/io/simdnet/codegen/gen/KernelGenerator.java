package io.simdnet.codegen.gen;

import com.palantir.javapoet.JavaFile;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.List;

/** Picks the generator for a spec kind. A pure function: the same spec and version give the same text. */
public final class KernelGenerator {

    private KernelGenerator() {
    }

    public static JavaFile generate(KernelSpec spec) {
        return switch (spec) {
            case GemmSpec gemm -> GemmGenerator.generate(gemm);
            case Conv2dSpec conv -> switch (Conv2dAlgorithmPlan.of(conv).algorithm()) {
                case DENSE -> DenseConv2dGenerator.generate(conv);
                case IM2COL -> Im2colConv2dGenerator.generate(conv);
                case DIRECT -> DirectConv2dGenerator.generate(conv);
                case BLOCKED -> BlockedConv2dGenerator.generate(conv);
                case AUTO -> throw new IllegalStateException("a plan never leaves AUTO: " + conv.key());
            };
            case Pool2dSpec pool -> Pool2dGenerator.generate(pool);
        };
    }

    /** Whether the class generated for {@code spec} is constructed with a {@link io.simdnet.kernel.KernelLookup} (it calls other kernels). */
    public static boolean takesLookup(KernelSpec spec) {
        return spec instanceof Conv2dSpec conv && switch (Conv2dAlgorithmPlan.of(conv).algorithm()) {
            case IM2COL, DENSE -> true;
            case DIRECT, BLOCKED, AUTO -> false;
        };
    }

    /**
     * The kernels the class generated for {@code spec} calls whose specs are known without the batch size (a
     * convolution's GEMMs, from its plan): the catalog compiles them beside it, and the registry resolves them before it.
     */
    public static List<GemmSpec> subKernels(KernelSpec spec) {
        return spec instanceof Conv2dSpec conv ? Conv2dAlgorithmPlan.of(conv).fixedGemms() : List.of();
    }

    /** Fully qualified name of the class generated for {@code spec}. */
    public static String qualifiedName(KernelSpec spec) {
        return KernelTypes.GENERATED_PACKAGE + "." + spec.className();
    }
}
