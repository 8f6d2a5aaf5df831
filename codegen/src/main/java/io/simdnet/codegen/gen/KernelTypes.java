package io.simdnet.codegen.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import io.simdnet.kernel.Conv2dArguments;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.GemmArguments;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import io.simdnet.kernel.Pool2dArguments;
import io.simdnet.kernel.TaskSplit;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * The types generated kernels refer to: the kernel API's, by class literal (so a rename is a compile error
 * here, not in generated source), and the Vector API's by name (codegen runs in JVMs without that module).
 */
public final class KernelTypes {

    /** Package of every generated kernel and of the build-time index. */
    public static final String GENERATED_PACKAGE = "io.simdnet.kernel.generated";
    /** Simple name of the generated build-time index class. */
    public static final String INDEX_CLASS = "BuildTimeKernels";

    static final ClassName KERNEL = ClassName.get(Kernel.class);
    static final ClassName KERNEL_LOOKUP = ClassName.get(KernelLookup.class);
    static final ClassName GEMM_ARGUMENTS = ClassName.get(GemmArguments.class);
    static final ClassName TASK_SPLIT = ClassName.get(TaskSplit.class);
    static final ClassName KERNEL_POOL = ClassName.get(KernelPool.class);
    static final ClassName PARALLEL_TASK = ClassName.get(ParallelTask.class);
    static final ClassName GEMM_SPEC = ClassName.get(GemmSpec.class);
    static final ClassName GEMM_FORM = ClassName.get(GemmForm.class);
    static final ClassName DTYPE = ClassName.get(DType.class);
    static final ClassName CONV2D_SPEC = ClassName.get(Conv2dSpec.class);
    static final ClassName CONV2D_ARGUMENTS = ClassName.get(Conv2dArguments.class);
    static final ClassName POOL2D_SPEC = ClassName.get(Pool2dSpec.class);
    static final ClassName POOL2D_ARGUMENTS = ClassName.get(Pool2dArguments.class);

    private static final String VECTOR_PACKAGE = "jdk.incubator.vector";

    private KernelTypes() {
    }

    static ClassName gemmKernel(DType type) {
        return ClassName.get(type == DType.F32 ? FloatGemmKernel.class : DoubleGemmKernel.class);
    }

    static ClassName conv2dKernel(DType type) {
        return ClassName.get(type == DType.F32 ? FloatConv2dKernel.class : DoubleConv2dKernel.class);
    }

    static ClassName pool2dKernel(DType type) {
        return ClassName.get(type == DType.F32 ? FloatPool2dKernel.class : DoublePool2dKernel.class);
    }

    /** The lookup method of {@link KernelLookup} that returns a GEMM kernel of {@code type}. */
    static String gemmLookup(DType type) {
        return type == DType.F32 ? "floatGemm" : "doubleGemm";
    }

    static ClassName vector(DType type) {
        return ClassName.get(VECTOR_PACKAGE, type.vectorClass());
    }

    static ClassName vectorClass(String simpleName) {
        return ClassName.get(VECTOR_PACKAGE, simpleName);
    }

    static TypeName species(DType type) {
        return ParameterizedTypeName.get(ClassName.get(VECTOR_PACKAGE, "VectorSpecies"), ClassName.get("java.lang", type.boxed()));
    }

    static TypeName mask(DType type) {
        return ParameterizedTypeName.get(ClassName.get(VECTOR_PACKAGE, "VectorMask"), ClassName.get("java.lang", type.boxed()));
    }
}
