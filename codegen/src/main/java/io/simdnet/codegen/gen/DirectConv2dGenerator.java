package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The convolutions planned as {@link Conv2dAlgorithm#DIRECT}: one class whose nested classes are the three
 * passes ({@link DirectConvPassEmitter} for forward and backward-data, {@link DirectWeightsEmitter} for
 * backward-weights), every size a constant. Images are dealt to parallel tasks in contiguous runs; each
 * image's outputs are computed by one task, and backward-weights sums per-image partials in image order, so
 * the results do not depend on the thread count.
 */
public final class DirectConv2dGenerator {

    private final Conv2dSpec spec;
    private final Conv2dAlgorithmPlan plan;
    private final DType type;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName self;

    private DirectConv2dGenerator(Conv2dSpec spec) {
        this.spec = spec;
        this.plan = Conv2dAlgorithmPlan.of(spec);
        if (plan.algorithm() != Conv2dAlgorithm.DIRECT) {
            throw new IllegalArgumentException("DirectConv2dGenerator: spec '" + spec.key() + "' is planned as " + plan.algorithm() + ", not DIRECT");
        }
        this.type = spec.elementType();
        this.elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
    }

    public static JavaFile generate(Conv2dSpec spec) {
        return new DirectConv2dGenerator(spec).file();
    }

    private JavaFile file() {
        ClassName call = self.nestedClass("Call");
        TypeSpec kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×$L×$L, kernel $L×$L, stride 1, padding top $L bottom $L left $L right $L$L$L.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels(), spec.outHeight(), spec.outWidth(),
                        spec.kernelH(), spec.kernelW(), spec.padTop(), spec.padBottom(), spec.padLeft(), spec.padRight(),
                        spec.bias() ? ", with bias" : "", spec.relu() ? ", ReLU fused into forward" : "")
                .addJavadoc("<p>Direct: register tiles over the zero-padded image read as flat rows; no patch matrix, no GEMM.\n")
                .addFields(constants())
                .addField(Conv2dEntryPoints.callsField(call, "Per calling thread: the bound arguments and each task's buffers, reused so a call allocates nothing."))
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.CONV2D_SPEC))
                .addMethods(Conv2dEntryPoints.of(spec, array))
                .addType(new DirectConvPassEmitter(plan.forwardPass(), type, spec.bias(), spec.relu())
                        .emit("Forward", "Forward: Y = conv(X, W)" + (spec.bias() ? " + bias" : "") + (spec.relu() ? ", then ReLU" : "") + "."))
                .addType(new DirectConvPassEmitter(plan.backwardDataPass(), type, false, false)
                        .emit("BackwardData", "Backward-data: dX = the stride-1 convolution of dY, padded by K − 1 − p, with the weights rotated"
                                + " by 180° and their channels swapped."))
                .addType(new DirectWeightsEmitter(plan.forwardPass(), plan.weightsTile(), type, spec.bias()).emit("BackwardWeights"))
                .addType(callClass(call))
                .build();
        return GeneratedClassParts.file(DirectConv2dGenerator.class, spec, kernel);
    }

    private List<FieldSpec> constants() {
        return Conv2dEntryPoints.constants(spec, List.of(
                GeneratedClassParts.intConstant("C", spec.inChannels(), "Input channels."),
                GeneratedClassParts.intConstant("OC", spec.outChannels(), "Output channels."),
                GeneratedClassParts.intConstant("TAPS", spec.kernelH() * spec.kernelW(), "Taps of the window."),
                GeneratedClassParts.intConstant("PATCH", spec.patchSize(), "Weights per output channel.")));
    }

    private TypeSpec callClass(ClassName call) {
        TypeSpec.Builder builder = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's pass and arguments, and the buffers; work items (images, or backward-weights' units) are dealt to\n")
                .addJavadoc("tasks in contiguous runs.\n")
                .addType(TypeSpec.enumBuilder("Pass").addModifiers(Modifier.PRIVATE)
                        .addEnumConstant("FORWARD").addEnumConstant("BACKWARD_DATA")
                        .addEnumConstant("WEIGHTS_INPUTS", TypeSpec.anonymousClassBuilder("").addJavadoc("Backward-weights' first phase: pad x and widen dy, per image.\n").build())
                        .addEnumConstant("BACKWARD_WEIGHTS", TypeSpec.anonymousClassBuilder("").addJavadoc("Its second: the units.\n").build()).build())
;
        Conv2dEntryPoints.argumentFields(builder, call.nestedClass("Pass"), array);
        builder.addField(FieldSpec.builder(array, "rotated", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The weights for backward-data: rotated by 180°, input and output channels swapped.\n")
                        .initializer("new $T[WEIGHTS]", elem).build())
                .addField(GeneratedClassParts.taskBuffers(array, "paddedX", "Per task: the zero-padded input image of the forward pass."))
                .addField(GeneratedClassParts.taskBuffers(array, "wideY", "Per task: the forward pass's wide output rows."))
                .addField(GeneratedClassParts.taskBuffers(array, "paddedDy", "Per task: the zero-padded output gradient, for backward-data."))
                .addField(GeneratedClassParts.taskBuffers(array, "wideDx", "Per task: backward-data's wide output rows."))
                .addField(GeneratedClassParts.taskBuffers(array, "sums", "Per task: backward-weights' accumulators, summed lane by lane in order."))
                .addField(FieldSpec.builder(array, "batchPadded", Modifier.PRIVATE)
                        .addJavadoc("Backward-weights: every image of the batch zero-padded, grown with the batch.\n")
                        .initializer("new $T[0]", elem).build())
                .addField(FieldSpec.builder(array, "batchWide", Modifier.PRIVATE)
                        .addJavadoc("Backward-weights: every image's dy widened to padded rows, grown with the batch.\n")
                        .initializer("new $T[0]", elem).build());
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "forward", List.of("x", "weights", "bias", "y"), "FORWARD", CodeBlock.of(""), "run(n, n)"));
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "backwardData", List.of("dy", "weights", "dx"), "BACKWARD_DATA", rotate(), "run(n, n)"));
        builder.addMethod(backwardWeightsPass());
        builder.addMethod(Conv2dEntryPoints.run(List.of("paddedX", "wideY", "paddedDy", "wideDx", "sums")));
        builder.addMethod(GeneratedClassParts.taskBuffer(array));
        builder.addMethod(runTask());
        return builder.build();
    }

    /** weights (OC, C, KH, KW) into rotated (C, OC, KH, KW), each window turned by 180°. */
    private CodeBlock rotate() {
        return CodeBlock.builder()
                .add("// dX[c] = Σ over oc of dY[oc] correlated with W[oc][c] turned by 180°: the forward pass with the channels swapped.\n")
                .beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                .beginControlFlow("for (int c = 0; c < C; c++)")
                .beginControlFlow("for (int t = 0; t < TAPS; t++)")
                .addStatement("rotated[(c * OC + oc) * TAPS + TAPS - 1 - t] = weights[(oc * C + c) * TAPS + t]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec backwardWeightsPass() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardWeights")
                .addParameter(TypeName.INT, "n")
                .addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights").addParameter(array, "dBias")
                .beginControlFlow("if (batchPadded.length < n * BackwardWeights.PADDED_LENGTH)")
                .addComment("New arrays are zero: borders and discarded columns, which the passes never write.")
                .addStatement("batchPadded = new $T[n * BackwardWeights.PADDED_LENGTH]", elem)
                .addStatement("batchWide = new $T[n * BackwardWeights.WIDE_IMAGE]", elem)
                .endControlFlow()
                .addStatement("this.x = x")
                .addStatement("this.dy = dy")
                .addStatement("pass = Pass.WEIGHTS_INPUTS")
                .addStatement("run(n, n)")
                .addStatement("this.dWeights = dWeights")
                .addStatement("this.dBias = dBias")
                .addStatement("pass = Pass.BACKWARD_WEIGHTS")
                .addStatement("run(n, BackwardWeights.UNITS)");
        return method.build();
    }

    private MethodSpec runTask() {
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("int first = $T.start(items, tasks, task)", KernelTypes.TASK_SPLIT)
                .addStatement("int end = $T.start(items, tasks, task + 1)", KernelTypes.TASK_SPLIT)
                .beginControlFlow("switch (pass)")
                .beginControlFlow("case FORWARD ->")
                .addStatement("$T padded = buffer(paddedX, task, Forward.PADDED_LENGTH)", array)
                .addStatement("$T wide = buffer(wideY, task, Forward.COUT * Forward.WIDE)", array)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("Forward.pad(x, image * IMAGE_IN, padded, 0)")
                .addStatement("Forward.image(padded, weights$L, wide)", spec.bias() ? ", bias" : "")
                .addStatement("Forward.unpad(wide, y, image * IMAGE_OUT)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case BACKWARD_DATA ->")
                .addStatement("$T padded = buffer(paddedDy, task, BackwardData.PADDED_LENGTH)", array)
                .addStatement("$T wide = buffer(wideDx, task, BackwardData.COUT * BackwardData.WIDE)", array)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("BackwardData.pad(dy, image * IMAGE_OUT, padded, 0)")
                .addStatement("BackwardData.image(padded, rotated, wide)")
                .addStatement("BackwardData.unpad(wide, dx, image * IMAGE_IN)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case WEIGHTS_INPUTS ->")
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("Forward.pad(x, image * IMAGE_IN, batchPadded, image * BackwardWeights.PADDED_LENGTH)")
                .addStatement("BackwardWeights.widen(dy, image, batchWide)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case BACKWARD_WEIGHTS ->")
                .addStatement("$T lanes = buffer(sums, task, BackwardWeights.SUMS)", array)
                .beginControlFlow("for (int unit = first; unit < end; unit++)")
                .addStatement("BackwardWeights.unit(unit, n, batchPadded, batchWide, lanes, dWeights$L)", spec.bias() ? ", dBias" : "")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        return GeneratedClassParts.runTask(body.build());
    }
}
