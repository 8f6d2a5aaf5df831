package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import io.simdnet.codegen.gen.GemmCodeFacts.LastBVector;
import io.simdnet.codegen.gen.GemmCodeFacts.MicroKernel;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The register micro-kernel of a GEMM (BLIS's {@code gemm_ukr}): C[MR × vectors·LANES] (+)= op(A)[MR × kc] ·
 * B panel, fully unrolled over rows and vectors so every accumulator is a local, broadcasting one element of
 * A per row and k and FMA-ing it against the B vectors. Also owns the micro-kernel's argument list, which the
 * loops emitter calls it with, so the two cannot drift apart.
 */
final class GemmMicroKernelEmitter {

    /** One argument of a micro-kernel: its parameter and the expression the jr/ir loop passes for it. */
    record Argument(ParameterSpec parameter, CodeBlock value) {

        static Argument of(TypeName type, String name, String value) {
            return new Argument(ParameterSpec.builder(type, name).build(), CodeBlock.of("$L", value));
        }
    }

    private final GemmCodeFacts plan;
    private final ArrayTypeName array;
    private final ClassName vector;

    GemmMicroKernelEmitter(GemmCodeFacts plan) {
        this.plan = plan;
        this.array = ArrayTypeName.of(plan.type() == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE);
        this.vector = KernelTypes.vector(plan.type());
    }

    /**
     * The arguments of {@code kernel}, as the ir loop passes them: C at {@code c}/{@code cBase} (the caller's C,
     * or a padded copy of one edge tile).
     */
    List<Argument> arguments(MicroKernel kernel, String c, String cBase) {
        List<Argument> args = new ArrayList<>();
        args.add(Argument.of(array, "a", plan.packA() ? "aPanels" : "a"));
        args.add(Argument.of(TypeName.INT, "aBase", "aBase"));
        if (plan.aStrideIsM()) {
            args.add(Argument.of(TypeName.INT, "m", "m"));
        }
        args.add(Argument.of(TypeName.INT, "rows", "rows"));
        args.add(Argument.of(array, "b", plan.packB() ? "bPanels" : "b"));
        args.add(Argument.of(TypeName.INT, "bBase", "bBase"));
        args.add(Argument.of(array, "c", c));
        args.add(Argument.of(TypeName.INT, "cBase", cBase));
        args.add(Argument.of(TypeName.INT, "kc", "kc"));
        if (plan.passesFirstBlock()) {
            args.add(Argument.of(TypeName.BOOLEAN, "firstBlock", "firstBlock"));
        }
        if (plan.spec().bias()) {
            args.add(Argument.of(array, "bias", plan.edgeMasked() ? "biasPadded" : "bias"));
            args.add(Argument.of(TypeName.INT, "biasBase", "jr"));
        }
        if (plan.masked(kernel) && plan.maskedDirectB()) {
            args.add(Argument.of(TypeName.INT, "kSafe", "kSafe"));
            args.add(Argument.of(array, "bLastRow", "bLastRow"));
            args.add(Argument.of(TypeName.INT, "column", "jr"));
        }
        return args;
    }

    /** {@code name(arguments)}: the call of {@code kernel} from the ir loop. */
    CodeBlock call(MicroKernel kernel, String c, String cBase) {
        List<CodeBlock> values = arguments(kernel, c, cBase).stream().map(Argument::value).toList();
        return CodeBlock.of("$L($L)", kernel.methodName(), CodeBlock.join(values, ", "));
    }

    MethodSpec method(MicroKernel kernel) {
        int vectors = plan.vectors(kernel);
        boolean masked = plan.masked(kernel);
        MethodSpec.Builder method = MethodSpec.methodBuilder(kernel.methodName())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("C[rows × $L] at cBase $L op(A)[rows × kc] at aBase · B panel at bBase; rows past {@code rows} repeat the last row, whose own store comes last.\n",
                        masked ? "EDGE_WIDTH" : vectors + " · LANES", plan.spec().accumulate() ? "+=" : "(+)=");
        for (Argument argument : arguments(kernel, "c", "cBase")) {
            method.addParameter(argument.parameter());
        }
        CodeBlock.Builder body = CodeBlock.builder();
        rowOffsets(body);
        for (int r = 0; r < plan.mr(); r++) {
            List<String> row = new ArrayList<>();
            for (int v = 0; v < vectors; v++) {
                row.add(accumulator(r, v));
            }
            body.addStatement("$T $L", vector, String.join(", ", row));
        }
        initialiseAccumulators(body, vectors, masked);
        depthLoop(body, vectors, masked && plan.maskedDirectB());
        store(body, vectors, masked);
        return method.addCode(body.build()).build();
    }

    /** Where each row of the tile reads A and writes C; rows past the last valid one repeat it (XNNPACK's trick). */
    private void rowOffsets(CodeBlock.Builder body) {
        if (plan.mr() > 1) {
            body.addStatement("int last = rows - 1");
        }
        for (int r = 0; r < plan.mr(); r++) {
            if (r == 0) {
                body.addStatement("int a0 = aBase").addStatement("int c0 = cBase");
                continue;
            }
            if (plan.packA()) {
                // Packed panels are zero past the last row: no clamping needed.
                body.addStatement("int a$L = aBase + $L", r, r);
            } else {
                body.addStatement("int a$L = aBase + Math.min($L, last)$L", r, r, plan.form().transposeA() ? "" : " * K");
            }
            body.addStatement("int c$L = cBase + Math.min($L, last) * N", r, r);
        }
    }

    /** Starts each accumulator: C, C + bias, the bias or zero in the first block; C in later blocks. */
    private void initialiseAccumulators(CodeBlock.Builder body, int vectors, boolean masked) {
        if (!plan.startsChain()) {
            loadC(body, vectors, masked);
            return;
        }
        if (plan.passesFirstBlock()) {
            body.add("// The first depth block starts the FMA chain from $L; later ones continue the chain stored in C.\n", plan.chainStart())
                    .beginControlFlow("if (firstBlock)");
        } else {
            body.add("// One depth block: the FMA chain starts from $L.\n", plan.chainStart());
        }
        for (int v = 0; v < vectors; v++) {
            if (plan.spec().bias()) {
                body.addStatement("$T bias$L = $L", vector, v, load("bias", "biasBase" + GeneratedClassParts.plusTerm(v, "LANES"), masked && v == vectors - 1));
            }
        }
        if (!plan.spec().bias()) {
            body.addStatement("$T zero = $T.zero(S)", vector, vector);
        }
        for (int r = 0; r < plan.mr(); r++) {
            for (int v = 0; v < vectors; v++) {
                String start = plan.spec().bias() ? "bias" + v : "zero";
                if (plan.spec().accumulate()) {
                    body.addStatement("$L = $L.add($L)", accumulator(r, v), load("c", "c" + r + GeneratedClassParts.plusTerm(v, "LANES"), masked && v == vectors - 1), start);
                } else {
                    body.addStatement("$L = $L", accumulator(r, v), start);
                }
            }
        }
        if (plan.passesFirstBlock()) {
            body.nextControlFlow("else");
            loadC(body, vectors, masked);
            body.endControlFlow();
        }
    }

    private void loadC(CodeBlock.Builder body, int vectors, boolean masked) {
        for (int r = 0; r < plan.mr(); r++) {
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L = $L", accumulator(r, v), load("c", "c" + r + GeneratedClassParts.plusTerm(v, "LANES"), masked && v == vectors - 1));
            }
        }
    }

    /**
     * The k loop: broadcast each row's element of A and FMA it into every B vector. With {@code maskedB} (B
     * read in place, N ending in a partial vector) the partial vector is a masked load, which only the last row
     * of B could push past the end of the array: the caller stops the loop at {@code kSafe} then, and that
     * row's step reads its partial vector from a zero-padded copy, {@code bLastRow}.
     */
    private void depthLoop(CodeBlock.Builder body, int vectors, boolean maskedB) {
        body.beginControlFlow("for (int k = 0; k < $L; k++)", maskedB ? "kSafe" : "kc");
        depthStep(body, vectors, maskedB ? LastBVector.MASKED : LastBVector.WHOLE);
        body.endControlFlow();
        if (maskedB) {
            body.beginControlFlow("if (kSafe < kc)")
                    .addStatement("int k = kSafe");
            depthStep(body, vectors, LastBVector.PADDED_LAST_ROW);
            body.endControlFlow();
        }
    }

    private void depthStep(CodeBlock.Builder body, int vectors, LastBVector last) {
        String aStep = plan.packA() ? "k * MR" : plan.form().transposeA() ? "k * m" : "k";
        String bStep = plan.packB() ? "k * NR" : "k * N";
        body.addStatement("int ka = $L", aStep);
        boolean readsB = vectors > 1 || last != LastBVector.PADDED_LAST_ROW;
        if (readsB) {
            body.addStatement("int kb = bBase + $L", bStep);
        }
        for (int v = 0; v < vectors; v++) {
            LastBVector load = v < vectors - 1 ? LastBVector.WHOLE : last;
            switch (load) {
                case WHOLE -> body.addStatement("$T b$L = $T.fromArray(S, b, kb$L)", vector, v, vector, GeneratedClassParts.plusTerm(v, "LANES"));
                case MASKED -> body.addStatement("$T b$L = $T.fromArray(S, b, kb$L, EDGE_MASK)", vector, v, vector, GeneratedClassParts.plusTerm(v, "LANES"));
                case PADDED_LAST_ROW -> body.addStatement("$T b$L = $T.fromArray(S, bLastRow, column$L)", vector, v, vector, GeneratedClassParts.plusTerm(v, "LANES"));
            }
        }
        for (int r = 0; r < plan.mr(); r++) {
            body.addStatement("$T a$Lk = $T.broadcast(S, a[a$L + ka])", vector, r, vector, r);
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L = a$Lk.fma(b$L, $L)", accumulator(r, v), r, v, accumulator(r, v));
            }
        }
    }

    /**
     * Stores every row of the tile, the last first, without a test of {@code rows}: a row past the last valid one
     * writes where the last one does (its C offset is clamped), and the last valid row's own store comes after it.
     * A test per row was a branch the early profile of a kernel rarely saw taken one way (edge tiles are few): C2
     * compiled it as an uncommon trap, and the first edge tile sent the hottest method back to the interpreter
     * until C2 compiled it again (a 784→128→64 MLP's 128→64 product ran 3-9× its steady time over its first
     * thousands of steps, Zen 4). The partial last vector of an edge panel goes through the mask.
     */
    private void store(CodeBlock.Builder body, int vectors, boolean masked) {
        for (int r = plan.mr() - 1; r >= 0; r--) {
            for (int v = 0; v < vectors; v++) {
                String mask = masked && v == vectors - 1 ? ", EDGE_MASK" : "";
                body.addStatement("$L.intoArray(c, c$L$L$L)", accumulator(r, v), r, GeneratedClassParts.plusTerm(v, "LANES"), mask);
            }
        }
    }

    /**
     * The vector at {@code index}, masked when it is the partial last one. Callers make sure a masked vector
     * never reaches past its array: a masked access that does leaves the Vector API's fast path (measured: a
     * 128×64×10 product at under 1 GFLOP/s).
     */
    private CodeBlock load(String arrayName, String index, boolean masked) {
        return CodeBlock.of("$T.fromArray(S, $L, $L$L)", vector, arrayName, index, masked ? ", EDGE_MASK" : "");
    }

    private static String accumulator(int r, int v) {
        return "c" + r + "v" + v;
    }
}
