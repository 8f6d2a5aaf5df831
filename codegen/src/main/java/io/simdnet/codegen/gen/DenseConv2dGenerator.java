package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.spec.Conv2dSpec;
import io.simdnet.codegen.spec.ElementType;
import io.simdnet.codegen.spec.GemmForm;
import io.simdnet.codegen.spec.GemmSpec;
import javax.lang.model.element.Modifier;

/**
 * The convolutions whose kernel covers the whole unpadded input (one output position, like LeNet-5's C5):
 * such a layer is a dense layer over the flattened image, so each pass is one GEMM over the whole batch,
 * with no patch matrix: Y (N × OC) = X (N × PATCH) · Wᵀ (+ bias), dX = dY · W, dW = dYᵀ · X. The
 * backward-weights GEMM has the batch as its depth, so its kernel is looked up per batch size.
 */
public final class DenseConv2dGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private DenseConv2dGenerator() {
    }

    /** Whether {@code spec} is a dense layer in disguise. */
    public static boolean applies(Conv2dSpec spec) {
        return spec.outHeight() == 1 && spec.outWidth() == 1 && spec.kernelH() == spec.height() && spec.kernelW() == spec.width()
                && spec.padTop() == 0 && spec.padBottom() == 0 && spec.padLeft() == 0 && spec.padRight() == 0;
    }

    public static GemmSpec forwardGemm(Conv2dSpec spec) {
        return GemmSpec.of(spec.elementType(), GemmForm.NT, spec.patchSize(), spec.outChannels(), spec.bias(), false);
    }

    public static GemmSpec backwardDataGemm(Conv2dSpec spec) {
        return GemmSpec.of(spec.elementType(), GemmForm.NN, spec.outChannels(), spec.patchSize(), false, false);
    }

    /** dW (OC × PATCH) = dYᵀ · X: the TN form with the batch size as depth. */
    public static GemmSpec backwardWeightsGemm(Conv2dSpec spec, int batch) {
        return GemmSpec.of(spec.elementType(), GemmForm.TN, batch, spec.patchSize(), false, false);
    }

    public static JavaFile generate(Conv2dSpec spec) {
        ElementType type = spec.elementType();
        TypeName elem = type == ElementType.FLOAT ? TypeName.FLOAT : TypeName.DOUBLE;
        ArrayTypeName array = ArrayTypeName.of(elem);
        ClassName gemm = RuntimeTypes.gemmKernel(type);
        String getter = type == ElementType.FLOAT ? "floatGemm" : "doubleGemm";
        ClassName self = ClassName.get(RuntimeTypes.GENERATED_PACKAGE, spec.className());
        ClassName gemms = self.nestedClass("Gemms");
        ClassName byBatch = self.nestedClass("WeightsGemm");
        MethodSpec.Builder forward = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "weights").addParameter(array, "bias")
                .addParameter(array, "y")
                .addStatement("$T.forward(SPEC, n, x, weights, bias, y)", RuntimeTypes.CONV2D_ARGUMENTS)
                .beginControlFlow("if (n == 0)").addStatement("return").endControlFlow()
                .addStatement("$T.FORWARD.gemm(n, x, 0, weights, 0, bias, y, 0)", gemms);
        if (spec.relu()) {
            forward.beginControlFlow("for (int i = 0; i < n * OC; i++)")
                    .addStatement("y[i] = Math.max(y[i], 0)")
                    .endControlFlow();
        }
        MethodSpec.Builder weightsPass = MethodSpec.methodBuilder("backwardWeights")
                .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights")
                .addParameter(array, "dBias")
                .addStatement("$T.backwardWeights(SPEC, n, x, dy, dWeights, dBias)", RuntimeTypes.CONV2D_ARGUMENTS)
                .beginControlFlow("if (n == 0)")
                .addStatement("$T.fill(dWeights, 0, OC * PATCH, 0)", java.util.Arrays.class);
        if (spec.bias()) {
            weightsPass.addStatement("$T.fill(dBias, 0, OC, 0)", java.util.Arrays.class);
        }
        weightsPass.addStatement("return")
                .endControlFlow()
                .addStatement("$T cached = weightsGemm", byBatch)
                .beginControlFlow("if (cached == null || cached.batch != n)")
                .addComment("A new batch size (a new depth): look its kernel up once, then reuse it.")
                .addStatement("cached = new $T(n, $T.global().$L($T.backwardWeightsGemm(SPEC, n)))", byBatch, RuntimeTypes.KERNEL_REGISTRY,
                        getter, DenseConv2dGenerator.class)
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
                .addSuperinterface(RuntimeTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×1×1, a kernel covering the whole input: a dense layer over the image, one GEMM per pass.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels())
                .addField(FieldSpec.builder(TypeName.INT, "OC", CONSTANT).initializer("$L", spec.outChannels()).build())
                .addField(FieldSpec.builder(TypeName.INT, "PATCH", CONSTANT).initializer("$L", spec.patchSize())
                        .addJavadoc("Inputs of one image, all under the one window.\n").build())
                .addField(GeneratedClassParts.specField(RuntimeTypes.CONV2D_SPEC, spec))
                .addField(FieldSpec.builder(byBatch, "weightsGemm", Modifier.PRIVATE, Modifier.VOLATILE)
                        .addJavadoc("The backward-weights kernel of the last batch size seen.\n").build())
                .addType(TypeSpec.recordBuilder("WeightsGemm")
                        .addModifiers(Modifier.PRIVATE)
                        .recordConstructor(MethodSpec.constructorBuilder()
                                .addParameter(TypeName.INT, "batch").addParameter(gemm, "kernel").build())
                        .build())
                .addType(TypeSpec.classBuilder("Gemms")
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("Looked up on first use, outside the registry's own lookup of this class.\n")
                        .addField(FieldSpec.builder(gemm, "FORWARD", Modifier.STATIC, Modifier.FINAL)
                                .initializer("$T.global().$L($T.forwardGemm(SPEC))", RuntimeTypes.KERNEL_REGISTRY, getter, DenseConv2dGenerator.class).build())
                        .addField(FieldSpec.builder(gemm, "BACKWARD_DATA", Modifier.STATIC, Modifier.FINAL)
                                .initializer("$T.global().$L($T.backwardDataGemm(SPEC))", RuntimeTypes.KERNEL_REGISTRY, getter, DenseConv2dGenerator.class).build())
                        .build())
                .addMethod(GeneratedClassParts.specMethod(RuntimeTypes.CONV2D_SPEC))
                .addMethod(forward.build())
                .addMethod(MethodSpec.methodBuilder("backwardData")
                        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                        .addParameter(TypeName.INT, "n").addParameter(array, "dy").addParameter(array, "weights").addParameter(array, "dx")
                        .addStatement("$T.backwardData(SPEC, n, dy, weights, dx)", RuntimeTypes.CONV2D_ARGUMENTS)
                        .beginControlFlow("if (n > 0)")
                        .addStatement("$T.BACKWARD_DATA.gemm(n, dy, 0, weights, 0, null, dx, 0)", gemms)
                        .endControlFlow()
                        .build())
                .addMethod(weightsPass.build())
                .build();
        return GeneratedClassParts.file(DenseConv2dGenerator.class, spec, kernel);
    }
}
