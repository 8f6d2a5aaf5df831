package io.simdnet.codegen.gen;

import com.palantir.javapoet.JavaFile;
import io.simdnet.codegen.spec.Conv2dSpec;
import io.simdnet.codegen.spec.GemmSpec;
import io.simdnet.codegen.spec.KernelSpec;
import io.simdnet.codegen.spec.Pool2dSpec;

/** Picks the generator for a spec kind. A pure function: the same spec and version give the same text. */
public final class KernelGenerator {

    private KernelGenerator() {
    }

    public static JavaFile generate(KernelSpec spec) {
        return switch (spec) {
            case GemmSpec gemm -> GemmGenerator.generate(gemm);
            case Conv2dSpec conv -> DenseConv2dGenerator.applies(conv) ? DenseConv2dGenerator.generate(conv) : Conv2dGenerator.generate(conv);
            case Pool2dSpec pool -> Pool2dGenerator.generate(pool);
        };
    }

    /** Fully qualified name of the class generated for {@code spec}. */
    public static String qualifiedName(KernelSpec spec) {
        return RuntimeTypes.GENERATED_PACKAGE + "." + spec.className();
    }
}
