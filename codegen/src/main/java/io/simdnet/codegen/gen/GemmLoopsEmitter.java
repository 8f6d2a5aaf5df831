package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.simdnet.codegen.gen.GemmCodeFacts.MicroKernel;
import io.simdnet.kernel.DType;

/**
 * The loops around the GEMM micro-kernel, with BLIS's names, for one parallel task's rows × columns of C:
 * jc (NC columns) → pc (KC depth) → [pack B] → ic (MC rows) → [pack A] → jr (NR-column micro-panel) → ir
 * (MR-row micro-tile) → micro-kernel. Each element of C is computed by one FMA chain in k order whatever the
 * task split, so results do not depend on the thread count.
 */
final class GemmLoopsEmitter {

    private final GemmCodeFacts plan;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final GemmMicroKernelEmitter microKernel;
    private final GemmPackingEmitter packing;

    GemmLoopsEmitter(GemmCodeFacts plan, GemmMicroKernelEmitter microKernel, GemmPackingEmitter packing) {
        this.plan = plan;
        this.elem = plan.type() == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.microKernel = microKernel;
        this.packing = packing;
    }

    /** {@code runTask(task)}: the task's block of C, split into row and column tasks by the call's bind. */
    MethodSpec runTask() {
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("int rowTask = task / columnTasks")
                .addStatement("int columnTask = task % columnTasks")
                .addStatement("int rowPanels = Math.ceilDiv(m, MR)")
                .addStatement("int i0 = $T.start(rowPanels, rowTasks, rowTask) * MR", KernelTypes.TASK_SPLIT)
                .addStatement("int i1 = Math.min(m, $T.start(rowPanels, rowTasks, rowTask + 1) * MR)", KernelTypes.TASK_SPLIT)
                .addStatement("int j0 = $T.start(COLUMN_PANELS, columnTasks, columnTask) * NR", KernelTypes.TASK_SPLIT)
                .addStatement("int j1 = Math.min(N, $T.start(COLUMN_PANELS, columnTasks, columnTask + 1) * NR)", KernelTypes.TASK_SPLIT);
        taskBuffers(body);
        body.beginControlFlow("for (int jc = j0; jc < j1; jc += NC)")
                .addStatement("int nc = Math.min(NC, j1 - jc)")
                .beginControlFlow("for (int pc = 0; pc < K; pc += KC)")
                .addStatement("int kc = Math.min(KC, K - pc)");
        if (plan.passesFirstBlock()) {
            body.addStatement("boolean firstBlock = pc == 0");
        }
        if (plan.packB()) {
            body.addStatement("$L", packing.packBCall());
        }
        if (plan.maskedDirectB()) {
            body.addStatement("int kSafe = pc + kc == K && lastRowOverflows ? kc - 1 : kc");
        }
        body.beginControlFlow("for (int ic = i0; ic < i1; ic += MC)")
                .addStatement("int mc = Math.min(MC, i1 - ic)");
        if (plan.packA()) {
            body.addStatement("$L", packing.packACall());
        }
        body.beginControlFlow("for (int jr = jc; jr < jc + nc; jr += NR)")
                .addStatement(plan.packB() ? "int bBase = (jr - jc) * kc" : "int bBase = bOffset + pc * N + jr")
                .beginControlFlow("for (int ir = ic; ir < ic + mc; ir += MR)")
                .addStatement("int rows = Math.min(MR, ic + mc - ir)");
        if (plan.packA()) {
            body.addStatement("int aBase = (ir - ic) * kc");
        } else if (plan.form().transposeA()) {
            body.addStatement("int aBase = aOffset + pc * m + ir");
        } else {
            body.addStatement("int aBase = aOffset + ir * K + pc");
        }
        body.addStatement("int cBase = cOffset + ir * N + jr");
        microTile(body);
        body.endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        return GeneratedClassParts.runTask(body.build());
    }

    /** The task's packing buffers and edge tile, made on its first run and kept. */
    private void taskBuffers(CodeBlock.Builder body) {
        if (plan.packA()) {
            body.beginControlFlow("if (packedA[task] == null)")
                    .addStatement("packedA[task] = new $T[Math.ceilDiv(MC, MR) * MR * KC]", elem)
                    .endControlFlow()
                    .addStatement("$T aPanels = packedA[task]", array);
        }
        if (plan.edgeMasked()) {
            body.beginControlFlow("if (edgeTile[task] == null)")
                    .addStatement("edgeTile[task] = new $T[(MR - 1) * N + EDGE_SPAN]", elem)
                    .endControlFlow();
        }
        if (plan.packB()) {
            body.beginControlFlow("if (packedB[task] == null)")
                    .addStatement("packedB[task] = new $T[KC * NC]", elem)
                    .endControlFlow()
                    .addStatement("$T bPanels = packedB[task]", array);
        }
    }

    /** One micro-tile: the full-panel kernel, the edge kernel, or the edge kernel on a padded copy of C. */
    private void microTile(CodeBlock.Builder body) {
        boolean both = plan.hasFullPanels() && plan.hasEdgePanel();
        if (both) {
            body.beginControlFlow("if (jr < FULL_COLUMNS)")
                    .addStatement("$L", microKernel.call(MicroKernel.FULL, "c", "cBase"))
                    .nextControlFlow("else");
        } else if (plan.hasFullPanels()) {
            body.addStatement("$L", microKernel.call(MicroKernel.FULL, "c", "cBase"));
        }
        if (plan.edgeMasked()) {
            body.beginControlFlow("if (cBase + (rows - 1) * N + EDGE_SPAN <= c.length)")
                    .addStatement("$L", microKernel.call(MicroKernel.EDGE, "c", "cBase"))
                    .nextControlFlow("else")
                    .add("// The partial vector of the last row would reach past C, which leaves the Vector API's\n")
                    .add("// fast path: run this one tile on a copy with room to spare.\n")
                    .addStatement("$T tile = edgeTile[task]", array)
                    .beginControlFlow("for (int r = 0; r < rows; r++)")
                    .addStatement("$T.arraycopy(c, cBase + r * N, tile, r * N, EDGE_WIDTH)", System.class)
                    .endControlFlow()
                    .addStatement("$L", microKernel.call(MicroKernel.EDGE, "tile", "0"))
                    .beginControlFlow("for (int r = 0; r < rows; r++)")
                    .addStatement("$T.arraycopy(tile, r * N, c, cBase + r * N, EDGE_WIDTH)", System.class)
                    .endControlFlow()
                    .endControlFlow();
        } else if (plan.hasEdgePanel()) {
            body.addStatement("$L", microKernel.call(MicroKernel.EDGE, "c", "cBase"));
        }
        if (both) {
            body.endControlFlow();
        }
    }
}
