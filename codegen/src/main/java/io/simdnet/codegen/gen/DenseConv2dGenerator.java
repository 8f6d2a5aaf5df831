package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import java.util.Arrays;
import javax.lang.model.element.Modifier;

/**
 * The convolutions planned as {@link Conv2dAlgorithm#DENSE}: the kernel covers the whole unpadded input,
 * so each pass is one GEMM over the whole batch with no patch matrix. The backward-weights GEMM has the batch
 * as its depth, so its kernel is looked up per batch size.
 */
public final class DenseConv2dGenerator {

    private DenseConv2dGenerator() {
    }

    public static JavaFile generate(Conv2dSpec spec) {
        Conv2dAlgorithmPlan plan = Conv2dAlgorithmPlan.of(spec);
        if (plan.algorithm() != Conv2dAlgorithm.DENSE) {
            throw new IllegalArgumentException("DenseConv2dGenerator: spec '" + spec.key() + "' is planned as " + plan.algorithm() + ", not DENSE");
        }
        DType type = spec.elementType();
        TypeName elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        ArrayTypeName array = ArrayTypeName.of(elem);
        ClassName gemm = KernelTypes.gemmKernel(type);
        String lookup = KernelTypes.gemmLookup(type);
        ClassName self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
        ClassName byBatch = self.nestedClass("WeightsGemm");
        // The plan's backward-weights GEMM has the batch as its depth; the generated class asks for it by batch size,
        // from the kernel API alone (a kernel never calls the generator's plan at run time).
        GemmSpec weightsGemm = plan.backwardWeightsGemm(1);
        MethodSpec.Builder forward = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addJavadoc("Y (N × OC) = X (N × PATCH) · Wᵀ$L$L.\n", spec.bias() ? " + bias" : "", spec.relu() ? ", then ReLU" : "")
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "weights").addParameter(array, "bias")
                .addParameter(array, "y")
                .addStatement("$T.forward(SPEC, n, x, weights, bias, y)", KernelTypes.CONV2D_ARGUMENTS)
                .beginControlFlow("if (n == 0)").addStatement("return").endControlFlow()
                .addStatement("forwardGemm.gemm(n, x, 0, weights, 0, bias, y, 0)");
        if (spec.relu()) {
            forward.beginControlFlow("for (int i = 0; i < n * OC; i++)")
                    .addStatement("y[i] = Math.max(y[i], 0)")
                    .endControlFlow();
        }
        MethodSpec.Builder weightsPass = MethodSpec.methodBuilder("backwardWeights")
                .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addJavadoc("dW (OC × PATCH) = dYᵀ · X$L, summed over the batch.\n", spec.bias() ? ", dB = the column sums of dY" : "")
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights")
                .addParameter(array, "dBias")
                .addStatement("$T.backwardWeights(SPEC, n, x, dy, dWeights, dBias)", KernelTypes.CONV2D_ARGUMENTS)
                .beginControlFlow("if (n == 0)")
                .addStatement("$T.fill(dWeights, 0, OC * PATCH, 0)", Arrays.class);
        if (spec.bias()) {
            weightsPass.addStatement("$T.fill(dBias, 0, OC, 0)", Arrays.class);
        }
        weightsPass.addStatement("return")
                .endControlFlow()
                .addStatement("$T cached = weightsGemm", byBatch)
                .beginControlFlow("if (cached == null || cached.batch != n)")
                .addComment("A new batch size (a new depth): look its kernel up once, then reuse it.")
                .addStatement("cached = new $T(n, kernels.$L($T.of($T.$L, $T.$L, n, PATCH, $L, $L, SPEC.target())))", byBatch, lookup,
                        KernelTypes.GEMM_SPEC, KernelTypes.DTYPE, weightsGemm.elementType().name(), KernelTypes.GEMM_FORM, weightsGemm.form().name(),
                        weightsGemm.bias(), weightsGemm.accumulate())
                .addStatement("weightsGemm = cached")
                .endControlFlow()
                .addStatement("cached.kernel.gemm(OC, dy, 0, x, 0, null, dWeights, 0)");
        if (spec.bias()) {
            weightsPass.beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                    .addStatement("$T sum = 0", elem)
                    .beginControlFlow("for (int image = 0; image < n; image++)")
                    .addStatement("sum += dy[image * OC + oc]")
                    .endControlFlow()
                    .addStatement("dBias[oc] = sum")
                    .endControlFlow();
        }
        TypeSpec kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×1×1, a kernel covering the whole input: a dense layer over the image, one GEMM per pass.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels())
                .addField(GeneratedClassParts.intConstant("OC", spec.outChannels(), "Output channels: columns of Y."))
                .addField(GeneratedClassParts.intConstant("PATCH", spec.patchSize(), "Inputs of one image, all under the one window."))
                .addField(GeneratedClassParts.stringConstant("FORWARD_GEMM", plan.forwardGemm().key(), "Y (N × OC) = X (N × PATCH) · Wᵀ, with the bias."))
                .addField(GeneratedClassParts.stringConstant("BACKWARD_DATA_GEMM", plan.backwardDataGemm().key(), "dX (N × PATCH) = dY (N × OC) · W."))
                .addField(GeneratedClassParts.specField(KernelTypes.CONV2D_SPEC, spec))
                .addField(FieldSpec.builder(KernelTypes.KERNEL_LOOKUP, "kernels", Modifier.PRIVATE, Modifier.FINAL).build())
                .addField(gemm, "forwardGemm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(gemm, "backwardDataGemm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(FieldSpec.builder(byBatch, "weightsGemm", Modifier.PRIVATE, Modifier.VOLATILE)
                        .addJavadoc("The backward-weights kernel of the last batch size seen.\n").build())
                .addType(TypeSpec.recordBuilder("WeightsGemm")
                        .addModifiers(Modifier.PRIVATE)
                        .recordConstructor(MethodSpec.constructorBuilder()
                                .addParameter(TypeName.INT, "batch").addParameter(gemm, "kernel").build())
                        .build())
                .addMethod(MethodSpec.constructorBuilder()
                        .addModifiers(Modifier.PUBLIC)
                        .addJavadoc("@param kernels where the GEMM kernels of the plan are looked up (the engine's registry)\n")
                        .addParameter(KernelTypes.KERNEL_LOOKUP, "kernels")
                        .addStatement("this.kernels = kernels")
                        .addStatement("this.forwardGemm = kernels.$L($T.parse(FORWARD_GEMM))", lookup, KernelTypes.GEMM_SPEC)
                        .addStatement("this.backwardDataGemm = kernels.$L($T.parse(BACKWARD_DATA_GEMM))", lookup, KernelTypes.GEMM_SPEC)
                        .build())
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.CONV2D_SPEC))
                .addMethod(forward.build())
                .addMethod(MethodSpec.methodBuilder("backwardData")
                        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                        .addJavadoc("dX (N × PATCH) = dY · W.\n")
                        .addParameter(TypeName.INT, "n").addParameter(array, "dy").addParameter(array, "weights").addParameter(array, "dx")
                        .addStatement("$T.backwardData(SPEC, n, dy, weights, dx)", KernelTypes.CONV2D_ARGUMENTS)
                        .beginControlFlow("if (n > 0)")
                        .addStatement("backwardDataGemm.gemm(n, dy, 0, weights, 0, null, dx, 0)")
                        .endControlFlow()
                        .build())
                .addMethod(weightsPass.build())
                .build();
        return GeneratedClassParts.file(DenseConv2dGenerator.class, spec, kernel);
    }
}
