package io.simdnet.codegen.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import io.simdnet.codegen.spec.ElementType;

/**
 * The engine and JDK types that generated kernels refer to. Generated code is compiled inside the engine (at
 * build time) or against its class path (at run time), so codegen names these types without depending on them.
 */
public final class RuntimeTypes {

    /** Package of every generated kernel and of the build-time index. */
    public static final String GENERATED_PACKAGE = "io.simdnet.engine.kernel.generated";
    /** Simple name of the generated build-time index class. */
    public static final String INDEX_CLASS = "BuildTimeKernels";

    static final String KERNEL_PACKAGE = "io.simdnet.engine.kernel";
    static final ClassName KERNEL = ClassName.get(KERNEL_PACKAGE, "Kernel");
    static final ClassName GEMM_ARGUMENTS = ClassName.get(KERNEL_PACKAGE, "GemmArguments");
    static final ClassName GEMM_PARTITION = ClassName.get(KERNEL_PACKAGE, "GemmPartition");
    static final ClassName KERNEL_POOL = ClassName.get(KERNEL_PACKAGE, "KernelPool");
    static final ClassName PARALLEL_TASK = ClassName.get(KERNEL_PACKAGE, "ParallelTask");
    static final ClassName GEMM_SPEC = ClassName.get("io.simdnet.codegen.spec", "GemmSpec");
    static final ClassName CONV2D_SPEC = ClassName.get("io.simdnet.codegen.spec", "Conv2dSpec");
    static final ClassName CONV2D_ARGUMENTS = ClassName.get(KERNEL_PACKAGE, "Conv2dArguments");
    static final ClassName KERNEL_REGISTRY = ClassName.get(KERNEL_PACKAGE, "KernelRegistry");
    static final ClassName POOL2D_SPEC = ClassName.get("io.simdnet.codegen.spec", "Pool2dSpec");
    static final ClassName POOL2D_ARGUMENTS = ClassName.get(KERNEL_PACKAGE, "Pool2dArguments");

    private static final String VECTOR_PACKAGE = "jdk.incubator.vector";

    private RuntimeTypes() {
    }

    static ClassName gemmKernel(ElementType type) {
        return ClassName.get(KERNEL_PACKAGE, type == ElementType.FLOAT ? "FloatGemmKernel" : "DoubleGemmKernel");
    }

    static ClassName conv2dKernel(ElementType type) {
        return ClassName.get(KERNEL_PACKAGE, type == ElementType.FLOAT ? "FloatConv2dKernel" : "DoubleConv2dKernel");
    }

    static ClassName pool2dKernel(ElementType type) {
        return ClassName.get(KERNEL_PACKAGE, type == ElementType.FLOAT ? "FloatPool2dKernel" : "DoublePool2dKernel");
    }

    static ClassName vector(ElementType type) {
        return ClassName.get(VECTOR_PACKAGE, type.vectorClass());
    }

    static TypeName species(ElementType type) {
        return ParameterizedTypeName.get(ClassName.get(VECTOR_PACKAGE, "VectorSpecies"), ClassName.get("java.lang", type.boxed()));
    }

    static TypeName mask(ElementType type) {
        return ParameterizedTypeName.get(ClassName.get(VECTOR_PACKAGE, "VectorMask"), ClassName.get("java.lang", type.boxed()));
    }
}
