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
 * The convolutions planned as {@link Conv2dAlgorithm#BLOCKED}: one class whose nested classes are the three
 * passes ({@link BlockedConvPassEmitter} for forward and backward-data, {@link BlockedWeightsEmitter} for
 * backward-weights), every size a constant. The kernel keeps the NCHW interface of every convolution: each task
 * copies its images into the channel-blocked layout and the blocked results back, and the weights are packed
 * once per call. Images are dealt to parallel tasks in contiguous runs and backward-weights' units each sum over
 * the whole batch, so the results do not depend on the thread count.
 */
public final class BlockedConv2dGenerator {

    private final Conv2dSpec spec;
    private final Conv2dAlgorithmPlan plan;
    private final DType type;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName self;

    private BlockedConv2dGenerator(Conv2dSpec spec) {
        this.spec = spec;
        this.plan = Conv2dAlgorithmPlan.of(spec);
        if (plan.algorithm() != Conv2dAlgorithm.BLOCKED) {
            throw new IllegalArgumentException("BlockedConv2dGenerator: spec '" + spec.key() + "' is planned as " + plan.algorithm() + ", not BLOCKED");
        }
        this.type = spec.elementType();
        this.elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
    }

    public static JavaFile generate(Conv2dSpec spec) {
        return new BlockedConv2dGenerator(spec).file();
    }

    private JavaFile file() {
        ClassName call = self.nestedClass("Call");
        BlockedConvPassEmitter forward = new BlockedConvPassEmitter(plan.blockedForward(), type, spec.bias(), spec.relu(), false);
        BlockedConvPassEmitter backwardData = new BlockedConvPassEmitter(plan.blockedBackwardData(), type, false, false, true);
        boolean transposes = forward.blocksByTranspose() || forward.unblocksByTranspose() || backwardData.blocksByTranspose()
                || backwardData.unblocksByTranspose();
        TypeSpec kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×$L×$L, kernel $L×$L, stride $L, padding top $L bottom $L left $L right $L$L$L.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels(), spec.outHeight(), spec.outWidth(),
                        spec.kernelH(), spec.kernelW(), spec.strideH() == spec.strideW() ? spec.strideH() : spec.strideH() + "×" + spec.strideW(), spec.padTop(), spec.padBottom(), spec.padLeft(), spec.padRight(),
                        spec.bias() ? ", with bias" : "", spec.relu() ? ", ReLU fused into forward" : "")
                .addJavadoc("<p>Blocked: batch-reduce register tiles over channel blocks of $L; no patch matrix, no GEMM.\n", plan.blockedForward().lanes())
                .addFields(constants())
                .addFields(transposes ? BlockedConvPassEmitter.transposeConstants(type, plan.blockedForward().lanes()) : List.of())
                .addField(Conv2dEntryPoints.callsField(call, "Per calling thread: the bound arguments, the packed weights and each task's buffers, reused so a call allocates nothing."))
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.CONV2D_SPEC))
                .addMethods(Conv2dEntryPoints.of(spec, array))
                .addType(forward.emit("Forward", "Forward: Y = conv(X, W)" + (spec.bias() ? " + bias" : "") + (spec.relu() ? ", then ReLU" : "") + "."))
                .addType(backwardData.emit("BackwardData", "Backward-data: dX = the stride-1 convolution of dY" + (spec.strideH() * spec.strideW() > 1
                                ? " dilated by the stride" : "") + ", padded by K − 1 − p, with the weights rotated by 180° and their channels swapped."))
                .addType(new BlockedWeightsEmitter(plan.blockedForward(), plan.blockedWeights(), type, spec.bias()).emit("BackwardWeights"))
                .addType(callClass(call))
                .build();
        return GeneratedClassParts.file(BlockedConv2dGenerator.class, spec, kernel);
    }

    private List<FieldSpec> constants() {
        return Conv2dEntryPoints.constants(spec, List.of(GeneratedClassParts.intConstant("OC", spec.outChannels(), "Output channels.")));
    }

    private TypeSpec callClass(ClassName call) {
        TypeSpec.Builder builder = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's pass and arguments, the packed weights and the buffers; work items (images, or backward-weights'\n")
                .addJavadoc("units) are dealt to tasks in contiguous runs.\n")
                .addType(passes())
;
        Conv2dEntryPoints.argumentFields(builder, call.nestedClass("Pass"), array);
        builder.addField(FieldSpec.builder(array, "packedForward", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The forward pass's packed weights.\n")
                        .initializer("new $T[Forward.PACKED]", elem).build())
                .addField(FieldSpec.builder(array, "packedData", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("Backward-data's packed weights: rotated by 180°, input and output channels swapped.\n")
                        .initializer("new $T[BackwardData.PACKED]", elem).build());
        if (spec.bias()) {
            builder.addField(FieldSpec.builder(array, "blockedBias", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("The bias, zero past OC to whole output blocks.\n")
                    .initializer("new $T[Forward.OCB * Forward.V]", elem).build());
        }
        builder.addField(GeneratedClassParts.taskBuffers(array, "blockedX", "Per task: one blocked padded input image."))
                .addField(GeneratedClassParts.taskBuffers(array, "blockedY", "Per task: one image's blocked outputs."))
                .addField(GeneratedClassParts.taskBuffers(array, "blockedDy", "Per task: one blocked padded output gradient, for backward-data."))
                .addField(GeneratedClassParts.taskBuffers(array, "blockedDx", "Per task: backward-data's blocked outputs."))
                .addField(GeneratedClassParts.taskBuffers(array, "sums", "Per task: the accumulators of a backward-weights tile."))
                .addField(FieldSpec.builder(array, "batchBlocked", Modifier.PRIVATE)
                        .addJavadoc("Backward-weights: every image of the batch blocked and padded, grown with the batch.\n")
                        .initializer("new $T[0]", elem).build());
        CodeBlock packForward = CodeBlock.builder().addStatement("Forward.pack(weights, packedForward)").build();
        if (spec.bias()) {
            packForward = packForward.toBuilder().addStatement("$T.arraycopy(bias, 0, blockedBias, 0, OC)", System.class).build();
        }
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "forward", List.of("x", "weights", "bias", "y"), "FORWARD", packForward, "run(n, n)"));
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "backwardData", List.of("dy", "weights", "dx"), "BACKWARD_DATA",
                CodeBlock.builder().addStatement("BackwardData.pack(weights, packedData)").build(), "run(n, n)"));
        builder.addMethod(backwardWeightsPass());
        builder.addMethod(Conv2dEntryPoints.run(List.of("blockedX", "blockedY", "blockedDy", "blockedDx", "sums")));
        builder.addMethod(GeneratedClassParts.taskBuffer(array));
        builder.addMethod(runTask());
        return builder.build();
    }

    private TypeSpec passes() {
        TypeSpec.Builder pass = TypeSpec.enumBuilder("Pass").addModifiers(Modifier.PRIVATE)
                .addEnumConstant("FORWARD").addEnumConstant("BACKWARD_DATA")
                .addEnumConstant("WEIGHTS_INPUTS", TypeSpec.anonymousClassBuilder("").addJavadoc("Backward-weights' first phase: block x, per image.\n").build())
                .addEnumConstant("BACKWARD_WEIGHTS", TypeSpec.anonymousClassBuilder("").addJavadoc("Its second: the units of dW.\n").build());
        if (spec.bias()) {
            pass.addEnumConstant("BIAS_GRADIENT", TypeSpec.anonymousClassBuilder("").addJavadoc("Its third: dB, a channel per unit.\n").build());
        }
        return pass.build();
    }

    private MethodSpec backwardWeightsPass() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardWeights")
                .addParameter(TypeName.INT, "n")
                .addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights").addParameter(array, "dBias")
                .beginControlFlow("if (batchBlocked.length < n * Forward.BLOCKED_IN)")
                .addComment("A new array is zero: the borders and the lanes past the channels, which blocking never writes.")
                .addStatement("batchBlocked = new $T[n * Forward.BLOCKED_IN]", elem)
                .endControlFlow()
                .addStatement("this.x = x")
                .addStatement("pass = Pass.WEIGHTS_INPUTS")
                .addStatement("run(n, n)")
                .addStatement("this.dy = dy")
                .addStatement("this.dWeights = dWeights")
                .addStatement("pass = Pass.BACKWARD_WEIGHTS")
                .addStatement("run(n, BackwardWeights.UNITS)");
        if (spec.bias()) {
            method.addStatement("this.dy = dy")
                    .addStatement("this.dBias = dBias")
                    .addStatement("pass = Pass.BIAS_GRADIENT")
                    .addStatement("run(n, OC)");
        }
        return method.build();
    }

    private MethodSpec runTask() {
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("int first = $T.start(items, tasks, task)", KernelTypes.TASK_SPLIT)
                .addStatement("int end = $T.start(items, tasks, task + 1)", KernelTypes.TASK_SPLIT)
                .beginControlFlow("switch (pass)")
                .beginControlFlow("case FORWARD ->")
                .addStatement("$T in = buffer(blockedX, task, Forward.BLOCKED_IN)", array)
                .addStatement("$T out = buffer(blockedY, task, Forward.BLOCKED_OUT)", array)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("Forward.block(x, image * IMAGE_IN, in, 0)")
                .addStatement("Forward.image(in, packedForward$L, out)", spec.bias() ? ", blockedBias" : "")
                .addStatement("Forward.unblock(out, y, image * IMAGE_OUT)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case BACKWARD_DATA ->")
                .addStatement("$T in = buffer(blockedDy, task, BackwardData.BLOCKED_IN)", array)
                .addStatement("$T out = buffer(blockedDx, task, BackwardData.BLOCKED_OUT)", array)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("BackwardData.block(dy, image * IMAGE_OUT, in, 0)")
                .addStatement("BackwardData.image(in, packedData, out)")
                .addStatement("BackwardData.unblock(out, dx, image * IMAGE_IN)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case WEIGHTS_INPUTS ->")
                .beginControlFlow("for (int image = first; image < end; image++)")
                .addStatement("Forward.block(x, image * IMAGE_IN, batchBlocked, image * Forward.BLOCKED_IN)")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("case BACKWARD_WEIGHTS ->")
                .addStatement("$T lanes = buffer(sums, task, BackwardWeights.SUMS)", array)
                .beginControlFlow("for (int unit = first; unit < end; unit++)")
                .addStatement("BackwardWeights.unit(unit, n, batchBlocked, dy, lanes, dWeights)")
                .endControlFlow()
                .endControlFlow();
        if (spec.bias()) {
            body.beginControlFlow("case BIAS_GRADIENT ->")
                    .beginControlFlow("for (int oc = first; oc < end; oc++)")
                    .addStatement("BackwardWeights.biasSum(oc, n, dy, dBias)")
                    .endControlFlow()
                    .endControlFlow();
        }
        body.endControlFlow();
        return GeneratedClassParts.runTask(body.build());
    }
}
