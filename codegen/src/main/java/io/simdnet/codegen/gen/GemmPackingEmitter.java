package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.simdnet.kernel.DType;
import javax.lang.model.element.Modifier;

/**
 * The packing routines of a GEMM (BLIS's {@code packm}): copies of an MC × KC block of op(A) into MR-row
 * micro-panels and of a KC × NC block of op(B) into NR-column micro-panels, both k-major and zero past the
 * matrix, so that the micro-kernel reads them with unit stride.
 */
final class GemmPackingEmitter {

    private final GemmCodeFacts plan;
    private final ArrayTypeName array;
    private final ClassName vector;

    GemmPackingEmitter(GemmCodeFacts plan) {
        this.plan = plan;
        this.array = ArrayTypeName.of(plan.type() == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE);
        this.vector = KernelTypes.vector(plan.type());
    }

    /** Copies op(A)[ic, ic + mc) × [pc, pc + kc) into MR-row, k-major micro-panels, zero past the last row. */
    MethodSpec packA() {
        boolean transposeA = plan.form().transposeA();
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int ir = 0; ir < mc; ir += MR)")
                .addStatement("int rows = Math.min(MR, mc - ir)")
                .addStatement("int panel = ir * kc");
        if (transposeA) {
            body.add("// A is stored K×M: each row of it holds one k for consecutive rows of op(A).\n")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = aOffset + (pc + k) * m + ic + ir")
                    .addStatement("int dst = panel + k * MR")
                    .beginControlFlow("for (int r = 0; r < MR; r++)")
                    .addStatement("packed[dst + r] = r < rows ? a[src + r] : 0")
                    .endControlFlow()
                    .endControlFlow();
        } else {
            body.beginControlFlow("for (int r = 0; r < MR; r++)")
                    .beginControlFlow("if (r < rows)")
                    .addStatement("int src = aOffset + (ic + ir + r) * K + pc")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("packed[panel + k * MR + r] = a[src + k]")
                    .endControlFlow()
                    .nextControlFlow("else")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("packed[panel + k * MR + r] = 0")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        }
        body.endControlFlow();
        MethodSpec.Builder method = MethodSpec.methodBuilder("packA")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Copies op(A)[ic, ic + mc) × [pc, pc + kc) into MR-row, k-major micro-panels, zero past the last row.\n")
                .addParameter(array, "a").addParameter(TypeName.INT, "aOffset");
        if (transposeA) {
            method.addParameter(TypeName.INT, "m");
        }
        return method.addParameter(TypeName.INT, "ic").addParameter(TypeName.INT, "mc")
                .addParameter(TypeName.INT, "pc").addParameter(TypeName.INT, "kc")
                .addParameter(array, "packed")
                .addCode(body.build())
                .build();
    }

    /** {@code packA(...)} as the ic loop calls it. */
    CodeBlock packACall() {
        return CodeBlock.of("packA(a, aOffset, $Lic, mc, pc, kc, aPanels)", plan.form().transposeA() ? "m, " : "");
    }

    /** Copies one KC × NC block of op(B) into NR-wide, k-major micro-panels, zero past N. */
    MethodSpec packB() {
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int jr = 0; jr < nc; jr += NR)")
                .addStatement("int width = Math.min(NR, nc - jr)")
                .addStatement("int panel = jr * kc");
        if (plan.form().transposeB() && !plan.gathersB()) {
            body.add("// Each row of B becomes one column of the panel, zero past N.\n");
            transposedColumns(body);
        } else if (plan.form().transposeB()) {
            body.beginControlFlow("if (width == NR)")
                    .add("// B is stored N×K: gather one k from LANES rows of B, K apart, per vector of the panel.\n")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = bOffset + (jc + jr) * K + pc + k")
                    .addStatement("int dst = panel + k * NR");
            for (int v = 0; v < plan.tiling().nrVectors(); v++) {
                body.addStatement("$T.fromArray(S, b, src$L, GATHER_ROWS, 0).intoArray(packed, dst$L)", vector,
                        GeneratedClassParts.plusTerm(v, "LANES * K"), GeneratedClassParts.plusTerm(v, "LANES"));
            }
            body.endControlFlow()
                    .addStatement("continue")
                    .endControlFlow()
                    .add("// The edge panel: each row of B becomes one column of the panel, zero past N.\n");
            transposedColumns(body);
        } else {
            body.beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = bOffset + (pc + k) * N + jc + jr")
                    .addStatement("int dst = panel + k * NR")
                    .beginControlFlow("if (width == NR)");
            for (int v = 0; v < plan.tiling().nrVectors(); v++) {
                body.addStatement("$T.fromArray(S, b, src$L).intoArray(packed, dst$L)", vector, GeneratedClassParts.plusTerm(v, "LANES"), GeneratedClassParts.plusTerm(v, "LANES"));
            }
            body.nextControlFlow("else")
                    .addStatement("int whole = width / LANES * LANES")
                    .beginControlFlow("for (int j = 0; j < whole; j += LANES)")
                    .addStatement("$T.fromArray(S, b, src + j).intoArray(packed, dst + j)", vector)
                    .endControlFlow()
                    .beginControlFlow("for (int j = whole; j < NR; j++)")
                    .addStatement("packed[dst + j] = j < width ? b[src + j] : 0")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        }
        body.endControlFlow();
        return MethodSpec.methodBuilder("packB")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Copies op(B)[pc, pc + kc) × [jc, jc + nc) into NR-wide, k-major micro-panels, zero past N.\n")
                .addParameter(array, "b").addParameter(TypeName.INT, "bOffset")
                .addParameter(TypeName.INT, "pc").addParameter(TypeName.INT, "kc")
                .addParameter(TypeName.INT, "jc").addParameter(TypeName.INT, "nc")
                .addParameter(array, "packed")
                .addCode(body.build())
                .build();
    }

    /** {@code packB(...)} as the pc loop calls it. */
    CodeBlock packBCall() {
        return CodeBlock.of("packB(b, bOffset, pc, kc, jc, nc, bPanels)");
    }

    /** Scalar transposed packing of one panel: row j of B (stored N×K) becomes column j, zero past N. */
    private static void transposedColumns(CodeBlock.Builder body) {
        body.beginControlFlow("for (int j = 0; j < NR; j++)")
                .beginControlFlow("if (j < width)")
                .addStatement("int src = bOffset + (jc + jr + j) * K + pc")
                .beginControlFlow("for (int k = 0; k < kc; k++)")
                .addStatement("packed[panel + k * NR + j] = b[src + k]")
                .endControlFlow()
                .nextControlFlow("else")
                .beginControlFlow("for (int k = 0; k < kc; k++)")
                .addStatement("packed[panel + k * NR + j] = 0")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
}
