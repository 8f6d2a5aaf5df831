package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The passes of a generated convolution that binds its arguments to a per-thread {@code Call}: the public
 * ones (check the arguments against the spec, handle the empty batch, hand the rest to {@code calls.get()})
 * and the {@code Call}'s methods that bind a pass's arrays and run it.
 */
final class Conv2dEntryPoints {

    private Conv2dEntryPoints() {
    }

    /** forward, backwardData and backwardWeights for {@code spec}, whose arrays are of type {@code array}. */
    static List<MethodSpec> of(Conv2dSpec spec, ArrayTypeName array) {
        return List.of(
                entry(array, "forward", "Y = conv(X, W)" + (spec.bias() ? " + bias" : "") + (spec.relu() ? ", then ReLU" : ""),
                        List.of("x", "weights", "bias", "y"), null),
                entry(array, "backwardData", "dX = the gradient of the forward pass with respect to X, given dY", List.of("dy", "weights", "dx"), null),
                entry(array, "backwardWeights", "dW" + (spec.bias() ? " and dB" : "") + " = the gradients with respect to the weights"
                        + (spec.bias() ? " and bias" : "") + ", summed over the batch", List.of("x", "dy", "dWeights", "dBias"), zeroGradients(spec)));
    }

    /** With an empty batch the gradients are still overwritten: with zeros. */
    private static CodeBlock zeroGradients(Conv2dSpec spec) {
        CodeBlock.Builder zero = CodeBlock.builder().addStatement("$T.fill(dWeights, 0, WEIGHTS, 0)", Arrays.class);
        if (spec.bias()) {
            zero.addStatement("$T.fill(dBias, 0, OC, 0)", Arrays.class);
        }
        return zero.build();
    }

    private static MethodSpec entry(ArrayTypeName array, String name, String doc, List<String> arrays, CodeBlock onEmptyBatch) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("$L.\n", doc)
                .addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
        }
        String list = String.join(", ", arrays);
        method.addStatement("$T.$L(SPEC, n, $L)", KernelTypes.CONV2D_ARGUMENTS, name, list)
                .beginControlFlow("if (n == 0)");
        if (onEmptyBatch != null) {
            method.addCode(onEmptyBatch);
        }
        return method.addStatement("return")
                .endControlFlow()
                .addStatement("calls.get().$L(n, $L)", name, list)
                .build();
    }

    /**
     * The {@code Call}'s method {@code name}: binds {@code arrays} to the fields of the same names, runs
     * {@code before}, sets {@code pass} and runs {@code run}.
     */
    static MethodSpec bindingPass(ArrayTypeName array, String name, List<String> arrays, String pass, CodeBlock before, String run) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
            method.addStatement("this.$L = $L", a, a);
        }
        return method.addCode(before).addStatement("pass = Pass.$L", pass).addStatement(run).build();
    }
}
