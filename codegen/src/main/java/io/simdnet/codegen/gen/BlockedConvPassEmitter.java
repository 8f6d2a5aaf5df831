package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.BlockedConvPass;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.LaneTranspose;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import javax.lang.model.element.Modifier;

/**
 * Emits one {@link BlockedConvPass} as a nested class of a blocked convolution: its geometry as constants, the
 * copy of an NCHW image into the blocked padded layout, the packing of the weights (as given for the forward
 * pass; rotated by 180° with the channels swapped for backward-data), the batch-reduce register tiles (the full
 * tile, and those of the partial last run of positions and of output blocks), and the copy of the blocked
 * output back into NCHW.
 */
final class BlockedConvPassEmitter {

    private static final ClassName LANE_TRANSPOSE = ClassName.get(LaneTranspose.class);

    private final BlockedConvPass pass;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final boolean bias;
    private final boolean relu;
    private final boolean transposedWeights;

    /**
     * @param transposedWeights whether the pass reads the layer's weights rotated by 180° with input and output
     *     channels swapped (backward-data), not as given
     */
    BlockedConvPassEmitter(BlockedConvPass pass, DType type, boolean bias, boolean relu, boolean transposedWeights) {
        this.pass = pass;
        this.array = ArrayTypeName.of(type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE);
        this.vector = KernelTypes.vector(type);
        this.bias = bias;
        this.relu = relu;
        this.transposedWeights = transposedWeights;
        if (phased() && (bias || relu)) {
            throw new IllegalArgumentException("blocked convolution: a dilated pass (a strided layer's backward-data) takes no bias or ReLU");
        }
    }

    private int rowRest() {
        return pass.outHeight() % pass.rows();
    }

    private int columnRest() {
        return pass.outWidth() % pass.columns();
    }

    private int vectorRest() {
        return pass.outBlocks() % pass.vectors();
    }

    TypeSpec emit(String name, String doc) {
        TypeSpec.Builder type = TypeSpec.classBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc(doc + "\n")
                .addJavadoc("<p>Register tile: $L×$L output positions × $L vectors of $L output channels.\n", pass.rows(), pass.columns(), pass.vectors(),
                        pass.lanes())
                .addFields(constants())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(block())
                .addMethod(blockedPosition())
                .addMethod(pack())
                .addMethod(image());
        if (phased()) {
            type.addMethod(phase());
        }
        for (int vectors : counts(pass.outBlocks(), pass.vectors())) {
            for (int rows : tileSizes(pass.outHeight(), pass.dilateH(), pass.rows())) {
                for (int columns : tileSizes(pass.outWidth(), pass.dilateW(), pass.columns())) {
                    type.addMethod(tile(rows, columns, vectors));
                }
            }
        }
        return type.addMethod(unblock()).build();
    }

    /**
     * The tile sizes along a dimension of {@code total}: the full {@code full}, and the rest when it does not divide.
     * The plans never make a tile larger than its dimension ({@link BlockedConvPass}'s constructor checks it).
     */
    static List<Integer> counts(int total, int full) {
        if (full > total) {
            throw new IllegalArgumentException("blocked convolution: a tile of " + full + " in a dimension of " + total);
        }
        return total % full == 0 ? List.of(full) : List.of(full, total % full);
    }

    /**
     * Whether the pass reads an input dilated by a layer's stride (a strided layer's backward-data). Its outputs are
     * then taken in phases: the outputs of one phase, DH rows and DW columns apart, are reached by the same taps, those
     * whose window rows and columns fall on the input's (every DH-th row and DW-th column of the kernel), so the zeros
     * between the input's rows and columns are never multiplied.
     */
    boolean phased() {
        return pass.dilateH() > 1 || pass.dilateW() > 1;
    }

    /**
     * Where a phased tile's first output reads tap (i, j): dX row oh at window row i reads the input row (oh + i − PT) / DH
     * (a multiple of DH by the phase's choice of taps), below the PTC rows of border in the compact blocked plane.
     */
    private String phasedTapStart() {
        String rows = "(oh + i" + (pass.padTop() > 0 ? " - PT" : "") + ") / DH" + (pass.compactPadTop() > 0 ? " + PTC" : "");
        String columns = "(ow + j" + (pass.padLeft() > 0 ? " - PL" : "") + ") / DW" + (pass.compactPadLeft() > 0 ? " + PLC" : "");
        return "int xt = cb * XCB + (" + rows + ") * XROW + (" + columns + ") * V";
    }

    /** Output rows (or columns) of each phase along a dimension of {@code total} taken {@code step} apart: the first {@code step} start them. */
    private static List<Integer> phaseSizes(int total, int step) {
        List<Integer> sizes = new ArrayList<>();
        for (int first = 0; first < Math.min(step, total); first++) {
            sizes.add(Math.ceilDiv(total - first, step));
        }
        return sizes;
    }

    /** The tile sizes the phases of a dimension need: the full tile, and every rest a phase leaves. */
    private static List<Integer> tileSizes(int total, int step, int full) {
        TreeSet<Integer> sizes = new TreeSet<>(Comparator.reverseOrder());
        for (int size : phaseSizes(total, step)) {
            if (size >= full) {
                sizes.add(full);
            }
            if (size % full != 0) {
                sizes.add(size % full);
            }
        }
        return List.copyOf(sizes);
    }

    /** The rests a phase of the dimension can leave after its full tiles (0 included when one leaves none). */
    private static List<Integer> rests(int total, int step, int full) {
        TreeSet<Integer> rests = new TreeSet<>();
        for (int size : phaseSizes(total, step)) {
            rests.add(size % full);
        }
        return List.copyOf(rests);
    }

    private List<FieldSpec> constants() {
        List<FieldSpec> f = new ArrayList<>();
        f.add(GeneratedClassParts.intConstant("CIN", pass.inChannels(), "Input channels."));
        f.add(GeneratedClassParts.intConstant("H", pass.height(), "Input height."));
        f.add(GeneratedClassParts.intConstant("W", pass.width(), "Input width."));
        f.add(GeneratedClassParts.intConstant("COUT", pass.outChannels(), "Output channels."));
        f.add(GeneratedClassParts.intConstant("KH", pass.kernelH(), "Kernel height."));
        f.add(GeneratedClassParts.intConstant("KW", pass.kernelW(), "Kernel width."));
        f.add(GeneratedClassParts.intConstant("V", pass.lanes(), "Channels of a block: the lanes of a vector."));
        f.add(GeneratedClassParts.intConstant("CB", pass.inBlocks(), "Input channel blocks, the last zero past CIN."));
        f.add(GeneratedClassParts.intConstant("PLANE", plane(), "Positions of one input channel."));
        if (fullInBlocks() > 0) {
            f.add(GeneratedClassParts.intConstant("FULL_CB", fullInBlocks(), "Input channel blocks with a channel in every lane."));
        }
        if (lastLanes() > 0) {
            f.add(GeneratedClassParts.intConstant("LAST_LANES", lastLanes(), "Channels of the last, partial input block."));
        }
        if (blocksByTranspose()) {
            f.add(GeneratedClassParts.intConstant("VECTOR_POSITIONS", vectorPositions(),
                    "Input positions copied by whole transposes, V at a time."));
        }
        f.add(GeneratedClassParts.intConstant("OCB", pass.outBlocks(), "Output channel blocks."));
        if (unblocksByTranspose()) {
            f.add(GeneratedClassParts.intConstant("FULL_OCB", fullOutBlocks(), "Output channel blocks with a channel in every lane."));
            f.add(GeneratedClassParts.intConstant("OUT_VECTOR_POSITIONS", outVectorPositions(),
                    "Output positions copied back by whole transposes, V at a time."));
        }
        if (pass.padTop() > 0) {
            f.add(GeneratedClassParts.intConstant("PT", pass.padTop(), phased()
                    ? "Zero rows above the dilated input: a window row i of output row oh reads the input row (oh + i − PT) / DH when that divides."
                    : "Zero rows above the input in a blocked plane."));
        }
        if (pass.padLeft() > 0) {
            f.add(GeneratedClassParts.intConstant("PL", pass.padLeft(), phased() ? "Zero columns left of the dilated input."
                    : "Zero columns left of the input in a blocked plane."));
        }
        if (phased() && pass.compactPadTop() > 0) {
            f.add(GeneratedClassParts.intConstant("PTC", pass.compactPadTop(), "Zero rows above the input in a blocked plane, which is not dilated."));
        }
        if (phased() && pass.compactPadLeft() > 0) {
            f.add(GeneratedClassParts.intConstant("PLC", pass.compactPadLeft(), "Zero columns left of the input in a blocked plane."));
        }
        f.add(GeneratedClassParts.intConstant("HP", pass.paddedHeight(), "Rows of a blocked plane, the zero border included."));
        f.add(GeneratedClassParts.intConstant("WP", pass.paddedWidth(), "Columns of a blocked plane, the zero border included."));
        f.add(GeneratedClassParts.intConstant("OH", pass.outHeight(), "Output height."));
        f.add(GeneratedClassParts.intConstant("OW", pass.outWidth(), "Output width."));
        f.add(GeneratedClassParts.intConstant("POSITIONS", pass.outPositions(), "Output positions of a channel, in raster order."));
        f.add(GeneratedClassParts.intConstant("XROW", pass.paddedWidth() * pass.lanes(), "Elements of one row of a blocked input plane."));
        f.add(GeneratedClassParts.intConstant("XCB", pass.paddedHeight() * pass.paddedWidth() * pass.lanes(), "Elements of one blocked input plane."));
        if (phased()) {
            f.add(GeneratedClassParts.intConstant("DH", pass.dilateH(), "The dilation of the input's rows (the layer's stride): dX rows DH apart form a phase."));
            f.add(GeneratedClassParts.intConstant("DW", pass.dilateW(), "The dilation of the input's columns."));
        }
        if (pass.strideH() > 1) {
            f.add(GeneratedClassParts.intConstant("XROW_STEP", pass.strideH() * pass.paddedWidth() * pass.lanes(),
                    "Elements of the blocked input between the windows of two vertically neighbouring outputs of a tile."));
        }
        if (pass.strideW() > 1) {
            f.add(GeneratedClassParts.intConstant("XCOLUMN_STEP", pass.strideW() * pass.lanes(),
                    "Elements of the blocked input between the windows of two horizontally neighbouring outputs of a tile."));
        }
        f.add(GeneratedClassParts.intConstant("TAP_BLOCK", pass.lanes() * pass.lanes(), "Packed weights of one (output block, input block, tap): [input lane][output lanes]."));
        f.add(GeneratedClassParts.intConstant("WOCB", pass.inBlocks() * pass.kernelH() * pass.kernelW() * pass.lanes() * pass.lanes(),
                "Packed weights of one output block."));
        f.add(GeneratedClassParts.intConstant("YROW", pass.outWidth() * pass.lanes(), "Elements of one row of a blocked output plane."));
        f.add(GeneratedClassParts.intConstant("YCB", pass.outPositions() * pass.lanes(), "Elements of one blocked output plane."));
        if (pass.dilateH() > 1) {
            f.add(GeneratedClassParts.intConstant("YROW_STEP", pass.dilateH() * pass.outWidth() * pass.lanes(),
                    "Elements of the blocked output between two vertically neighbouring outputs of a tile: a phase's rows are DH apart."));
        }
        if (pass.dilateW() > 1) {
            f.add(GeneratedClassParts.intConstant("YCOLUMN_STEP", pass.dilateW() * pass.lanes(),
                    "Elements of the blocked output between two horizontally neighbouring outputs of a tile."));
        }
        f.add(GeneratedClassParts.intConstant("BLOCKED_IN", pass.blockedInputLength(), "Elements of one blocked padded input image."));
        f.add(GeneratedClassParts.intConstant("BLOCKED_OUT", pass.blockedOutputLength(), "Elements of one blocked output image."));
        f.add(GeneratedClassParts.intConstant("PACKED", pass.packedWeightsLength(), "Elements of the packed weights."));
        f.add(GeneratedClassParts.intConstant("TILE_ROWS", pass.rows(), "Output rows of a full register tile."));
        f.add(GeneratedClassParts.intConstant("TILE_COLUMNS", pass.columns(), "Output columns of a full register tile."));
        if (!phased()) {
            f.add(GeneratedClassParts.intConstant("FULL_ROWS", pass.outHeight() / pass.rows() * pass.rows(), "Output rows covered by full tiles."));
            f.add(GeneratedClassParts.intConstant("FULL_COLUMNS", pass.outWidth() / pass.columns() * pass.columns(), "Output columns covered by full tiles."));
        }
        f.add(GeneratedClassParts.intConstant("GROUP", pass.vectors(), "Output blocks of a full register tile."));
        f.add(GeneratedClassParts.intConstant("FULL_GROUPS", pass.outBlocks() / pass.vectors(), "Full groups of output blocks."));
        return f;
    }

    /** Input channel blocks with every lane a channel: the others are copied lane by lane. */
    private int fullInBlocks() {
        return pass.inChannels() / pass.lanes();
    }

    /** Channels of the last input block when it is partial, else 0. */
    private int lastLanes() {
        return pass.inChannels() % pass.lanes();
    }

    /** Output channel blocks with every lane a channel. */
    private int fullOutBlocks() {
        return pass.outChannels() / pass.lanes();
    }

    /** Whether the copy into the blocked layout transposes whole vectors: a full channel block and a plane of at least v positions. */
    boolean blocksByTranspose() {
        return fullInBlocks() > 0 && vectorPositions() > 0;
    }

    /** Whether the copy back into NCHW transposes whole vectors. */
    boolean unblocksByTranspose() {
        return fullOutBlocks() > 0 && outVectorPositions() > 0;
    }

    /** Positions of one input channel. */
    private int plane() {
        return pass.height() * pass.width();
    }

    /** Input positions the copy into the blocked layout takes v at a time: the plane's whole vectors. */
    private int vectorPositions() {
        return plane() / pass.lanes() * pass.lanes();
    }

    /** Output positions the copy back into NCHW takes v at a time. */
    private int outVectorPositions() {
        return pass.outPositions() / pass.lanes() * pass.lanes();
    }

    /**
     * The constants of the in-register transposes ({@link io.simdnet.kernel.LaneTranspose}), one shuffle and one mask per stage,
     * for the kernel class that holds the passes.
     */
    static List<FieldSpec> transposeConstants(DType type, int lanes) {
        List<FieldSpec> f = new ArrayList<>();
        TypeName shuffle = ParameterizedTypeName.get(KernelTypes.vectorClass("VectorShuffle"), ClassName.get("java.lang", type.boxed()));
        for (int d = lanes / 2; d >= 1; d /= 2) {
            f.add(FieldSpec.builder(shuffle, "SWAP_" + d, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Transpose stage $L: lane k takes lane k XOR $L.\n", d, d)
                    .initializer("$T.swap(S, $L)", LANE_TRANSPOSE, d).build());
            f.add(FieldSpec.builder(KernelTypes.mask(type), "UPPER_" + d, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Transpose stage $L: the lanes whose index has bit $L set.\n", d, d)
                    .initializer("$T.upper(S, $L)", LANE_TRANSPOSE, d).build());
        }
        return f;
    }

    /**
     * v rows r0 .. r(v-1) of v lanes transposed in registers: one stage per bit of a lane index, each exchanging
     * the lanes of rows r and r + d in which bit d differs from the row's.
     */
    private CodeBlock transpose() {
        CodeBlock.Builder b = CodeBlock.builder()
                .addStatement("$T t0", vector)
                .addStatement("$T t1", vector);
        for (int d = pass.lanes() / 2; d >= 1; d /= 2) {
            for (int r = 0; r < pass.lanes(); r++) {
                if ((r & d) != 0) {
                    continue;
                }
                b.addStatement("t0 = r$L.blend(r$L.rearrange(SWAP_$L), UPPER_$L)", r, r + d, d, d)
                        .addStatement("t1 = r$L.rearrange(SWAP_$L).blend(r$L, UPPER_$L)", r, d, r + d, d)
                        .addStatement("r$L = t0", r)
                        .addStatement("r$L = t1", r + d);
            }
        }
        return b.build();
    }

    /**
     * NCHW image into the blocked padded layout; the zero border and the lanes past CIN are never written, so they
     * stay zero. Full channel blocks go v positions at a time through an in-register transpose: read lane by lane,
     * the v channels of a position are a plane apart, and a plane of 1, 2 or 4 KiB puts them all in one L1 set.
     */
    private MethodSpec block() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("block")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Image {@code base} of {@code src} (NCHW) into the blocked image at {@code at} of {@code blocked}.\n")
                .addParameter(array, "src").addParameter(TypeName.INT, "base").addParameter(array, "blocked").addParameter(TypeName.INT, "at");
        if (fullInBlocks() > 0) {
            m.beginControlFlow("for (int cb = 0; cb < FULL_CB; cb++)")
                    .addStatement("int from = base + cb * V * PLANE")
                    .addStatement("int to = at + cb * XCB");
            if (vectorPositions() > 0) {
                m.beginControlFlow("for (int p = 0; p < VECTOR_POSITIONS; p += V)");
                for (int r = 0; r < pass.lanes(); r++) {
                    m.addStatement("$T r$L = $T.fromArray(S, src, from$L + p)", vector, r, vector, GeneratedClassParts.plusTerm(r, "PLANE"));
                }
                m.addCode(transpose());
                for (int r = 0; r < pass.lanes(); r++) {
                    m.addStatement("r$L.intoArray(blocked, to + blockedPosition(p$L))", r, GeneratedClassParts.plus(r));
                }
                m.endControlFlow();
            }
            if (vectorPositions() < plane()) {
                m.addCode(copyLanes(vectorPositions() > 0 ? "VECTOR_POSITIONS" : "0", "V"));
            }
            m.endControlFlow();
        }
        if (pass.inChannels() % pass.lanes() != 0) {
            boolean after = fullInBlocks() > 0;
            m.addStatement("int from = base$L", after ? " + FULL_CB * V * PLANE" : "")
                    .addStatement("int to = at$L", after ? " + FULL_CB * XCB" : "")
                    .addCode(copyLanes("0", "LAST_LANES"));
        }
        return m.build();
    }

    /** Positions {@code first} .. PLANE of one channel block, lane by lane: {@code lanes} channels from {@code from} to the block at {@code to}. */
    private static CodeBlock copyLanes(String first, String lanes) {
        return CodeBlock.builder()
                .beginControlFlow("for (int p = $L; p < PLANE; p++)", first)
                .addStatement("int position = to + blockedPosition(p)")
                .beginControlFlow("for (int lane = 0; lane < $L; lane++)", lanes)
                .addStatement("blocked[position + lane] = src[from + lane * PLANE + p]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec blockedPosition() {
        return MethodSpec.methodBuilder("blockedPosition")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TypeName.INT)
                .addJavadoc("Offset of input position {@code p} (raster order) in a blocked padded plane.\n")
                .addParameter(TypeName.INT, "p")
                .addStatement("return ((p / W$L) * WP + p % W$L) * V", phased() ? (pass.compactPadTop() > 0 ? " + PTC" : "") : (pass.padTop() > 0 ? " + PT" : ""),
                        phased() ? (pass.compactPadLeft() > 0 ? " + PLC" : "") : (pass.padLeft() > 0 ? " + PL" : ""))
                .build();
    }

    private MethodSpec pack() {
        String source = transposedWeights ? "w[((ci * COUT + co) * KH + KH - 1 - i) * KW + KW - 1 - j]" : "w[((co * CIN + ci) * KH + i) * KW + j]";
        return MethodSpec.methodBuilder("pack")
                .addModifiers(Modifier.STATIC)
                .addJavadoc(transposedWeights
                        ? "The layer's weights (CIN of this pass = the layer's output channels) rotated by 180°, channels swapped, into packed.\n"
                        : "The weights (COUT, CIN, KH, KW) into packed (OCB, CB, KH, KW, V, V); lanes past the channels stay zero.\n")
                .addParameter(array, "w").addParameter(array, "packed")
                .beginControlFlow("for (int co = 0; co < COUT; co++)")
                .beginControlFlow("for (int ci = 0; ci < CIN; ci++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("packed[(((co / V * CB + ci / V) * KH + i) * KW + j) * TAP_BLOCK + ci % V * V + co % V] = $L", source)
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec image() {
        String b = bias ? ", bias" : "";
        MethodSpec.Builder m = MethodSpec.methodBuilder("image")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Every output block of one blocked image: a group of output blocks at a time, its weights staying in cache over the positions.\n")
                .addParameter(array, "x").addParameter(array, "w");
        if (bias) {
            m.addParameter(array, "bias");
        }
        m.addParameter(array, "y");
        if (phased()) {
            m.beginControlFlow("for (int ocb = 0; ocb < FULL_GROUPS * GROUP; ocb += GROUP)")
                    .addCode(phaseCalls("GROUP"))
                    .endControlFlow();
            if (vectorRest() > 0) {
                m.addStatement("int ocb = FULL_GROUPS * GROUP").addCode(phaseCalls("OCB - FULL_GROUPS * GROUP"));
            }
            return m.build();
        }
        m.beginControlFlow("for (int ocb = 0; ocb < FULL_GROUPS * GROUP; ocb += GROUP)");
        positionsLoop(m, pass.vectors(), b);
        m.endControlFlow();
        if (vectorRest() > 0) {
            m.addStatement("int ocb = FULL_GROUPS * GROUP");
            positionsLoop(m, vectorRest(), b);
        }
        return m.build();
    }

    /** The phases of one group of {@code vectors} output blocks: every (first row, first column) that has outputs. */
    private CodeBlock phaseCalls(String vectors) {
        boolean groupsDiffer = counts(pass.outBlocks(), pass.vectors()).size() > 1;
        return CodeBlock.builder()
                .beginControlFlow("for (int ph = 0; ph < $L; ph++)", pass.dilateH() <= pass.outHeight() ? "DH" : "OH")
                .beginControlFlow("for (int pw = 0; pw < $L; pw++)", pass.dilateW() <= pass.outWidth() ? "DW" : "OW")
                .addStatement("phase(x, w, ocb, ph, pw$L, y)", groupsDiffer ? ", " + vectors : "")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * One phase of a dilated pass: the outputs (ph + DH·a, pw + DW·b) of a group of output blocks, in full tiles and the
     * rests the phase leaves; its taps start at the first kernel row and column that fall on an input row and column.
     */
    private MethodSpec phase() {
        String pt = pass.padTop() > 0 ? "PT" : "0";
        String pl = pass.padLeft() > 0 ? "PL" : "0";
        MethodSpec.Builder m = MethodSpec.methodBuilder("phase")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Outputs ph + DH·a, pw + DW·b of the {@code vectors} output blocks from ocb: the taps from (i0, j0) on, DH and DW apart.\n")
                .addParameter(array, "x").addParameter(array, "w").addParameter(TypeName.INT, "ocb").addParameter(TypeName.INT, "ph")
                .addParameter(TypeName.INT, "pw");
        List<Integer> vectorCounts = counts(pass.outBlocks(), pass.vectors());
        if (vectorCounts.size() > 1) {
            m.addParameter(TypeName.INT, "vectors");
        }
        m.addParameter(array, "y")
                .addComment("A window row i of output row oh falls on an input row when oh + i − PT is a multiple of DH.")
                .addStatement("int i0 = Math.floorMod($L - ph, DH)", pt)
                .addStatement("int j0 = Math.floorMod($L - pw, DW)", pl)
                .addStatement("int rows = (OH - ph + DH - 1) / DH")
                .addStatement("int columns = (OW - pw + DW - 1) / DW")
                .addStatement("int fullRows = rows / TILE_ROWS * TILE_ROWS")
                .addStatement("int fullColumns = columns / TILE_COLUMNS * TILE_COLUMNS");
        if (vectorCounts.size() == 1) {
            m.addCode(phaseTiles(vectorCounts.getFirst()));
        } else {
            m.beginControlFlow("if (vectors == GROUP)").addCode(phaseTiles(vectorCounts.get(0)))
                    .nextControlFlow("else").addCode(phaseTiles(vectorCounts.get(1))).endControlFlow();
        }
        return m.build();
    }

    /** A phase's tiles of {@code vectors} output blocks: full rows of full tiles and their column rest, then the row rest. */
    private CodeBlock phaseTiles(int vectors) {
        CodeBlock.Builder b = CodeBlock.builder()
                .beginControlFlow("for (int a = 0; a < fullRows; a += TILE_ROWS)")
                .addStatement("int oh = ph + a * DH")
                .add(phaseColumns(pass.rows(), vectors))
                .endControlFlow();
        List<Integer> rowRests = rests(pass.outHeight(), pass.dilateH(), pass.rows());
        if (rowRests.size() > 1 || rowRests.getFirst() != 0) {
            b.addStatement("int oh = ph + fullRows * DH")
                    .add(restSwitch("rows", rowRests, rest -> CodeBlock.builder().beginControlFlow("case $L ->", rest).add(phaseColumns(rest, vectors))
                            .endControlFlow().build()));
        }
        return b.build();
    }

    /**
     * A switch over the rest a phase leaves after its full tiles along {@code dimension} ("rows" or "columns", the
     * variable counting the phase's outputs, beside "full" + the same name capitalised): a case per rest that occurs.
     */
    private static CodeBlock restSwitch(String dimension, List<Integer> rests, IntFunction<CodeBlock> restCase) {
        String full = "full" + Character.toUpperCase(dimension.charAt(0)) + dimension.substring(1);
        CodeBlock.Builder b = CodeBlock.builder().beginControlFlow("switch ($L - $L)", dimension, full);
        for (int rest : rests) {
            if (rest == 0) {
                b.beginControlFlow("case 0 ->").add("// the phase's $L end with a full tile\n", dimension).endControlFlow();
            } else {
                b.add(restCase.apply(rest));
            }
        }
        return b.addStatement("default -> throw new $T(\"phase $L \" + $L)", AssertionError.class, dimension, dimension).endControlFlow().build();
    }

    /** One band of {@code rows} output rows of a phase: full tiles across, then the column rest. */
    private CodeBlock phaseColumns(int rows, int vectors) {
        CodeBlock.Builder b = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < fullColumns; c += TILE_COLUMNS)")
                .addStatement("$L(x, w, ocb, oh, pw + c * DW, i0, j0, y)", tileName(rows, pass.columns(), vectors))
                .endControlFlow();
        List<Integer> columnRests = rests(pass.outWidth(), pass.dilateW(), pass.columns());
        if (columnRests.size() > 1 || columnRests.getFirst() != 0) {
            b.add(restSwitch("columns", columnRests, rest -> CodeBlock.of("case $L -> $L(x, w, ocb, oh, pw + fullColumns * DW, i0, j0, y);\n", rest,
                    tileName(rows, rest, vectors))));
        }
        return b.build();
    }

    /** The tiles of one group of output blocks over the whole map: full tiles, then the columns and rows they leave. */
    private void positionsLoop(MethodSpec.Builder m, int vectors, String b) {
        m.beginControlFlow("for (int oh = 0; oh < FULL_ROWS; oh += TILE_ROWS)");
        columnsLoop(m, pass.rows(), vectors, b, "oh");
        m.endControlFlow();
        if (rowRest() > 0) {
            columnsLoop(m, rowRest(), vectors, b, "FULL_ROWS");
        }
    }

    private void columnsLoop(MethodSpec.Builder m, int rows, int vectors, String b, String oh) {
        m.beginControlFlow("for (int ow = 0; ow < FULL_COLUMNS; ow += TILE_COLUMNS)")
                .addStatement("$L(x, w$L, ocb, $L, ow, y)", tileName(rows, pass.columns(), vectors), b, oh)
                .endControlFlow();
        if (columnRest() > 0) {
            m.addStatement("$L(x, w$L, ocb, $L, FULL_COLUMNS, y)", tileName(rows, columnRest(), vectors), b, oh);
        }
    }

    /** Elements of the blocked input between the windows of vertically neighbouring outputs of a tile (a phase's read neighbouring rows). */
    private String rowStep() {
        return pass.strideH() > 1 ? "XROW_STEP" : "XROW";
    }

    /** Elements of the blocked input between the windows of horizontally neighbouring outputs of a tile. */
    private String columnStep() {
        return pass.strideW() > 1 ? "XCOLUMN_STEP" : "V";
    }

    private static String tileName(int rows, int columns, int vectors) {
        return "tile" + rows + "x" + columns + "x" + vectors;
    }

    private static String acc(int position, int v) {
        return "a" + position + "_" + v;
    }

    /** The register tile of {@code rows} × {@code columns} output positions from (oh, ow) × {@code vectors} output blocks from ocb. */
    private MethodSpec tile(int rows, int columns, int vectors) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(tileName(rows, columns, vectors))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc(phased()
                        ? "Outputs oh + DH·r, ow + DW·c (r < $L, c < $L) of output blocks ocb .. ocb + $L, reduced over every input block and the phase's taps.\n"
                        : "Output rows oh .. oh + $L, columns ow .. ow + $L of output blocks ocb .. ocb + $L, reduced over every input block and tap.\n",
                        rows, columns, vectors)
                .addParameter(array, "x").addParameter(array, "w");
        if (bias) {
            m.addParameter(array, "bias");
        }
        m.addParameter(TypeName.INT, "ocb").addParameter(TypeName.INT, "oh").addParameter(TypeName.INT, "ow");
        if (phased()) {
            m.addParameter(TypeName.INT, "i0").addParameter(TypeName.INT, "j0");
        }
        m.addParameter(array, "y");
        CodeBlock.Builder body = CodeBlock.builder()
                .add(phased() ? CodeBlock.of("")
                        : pass.strideH() == 1 && pass.strideW() == 1 ? CodeBlock.of("int xo = (oh * WP + ow) * V;\n")
                        : CodeBlock.of("int xo = oh * $L + ow * $L;\n", rowStep(), columnStep()))
                .addStatement("int wo = ocb * WOCB");
        int positions = rows * columns;
        for (int t = 0; t < positions; t++) {
            for (int v = 0; v < vectors; v++) {
                if (bias) {
                    body.addStatement("$T $L = $T.fromArray(S, bias, $L * V)", vector, acc(t, v), vector, v == 0 ? "ocb" : "(ocb + " + v + ")");
                } else {
                    body.addStatement("$T $L = $T.zero(S)", vector, acc(t, v), vector);
                }
            }
        }
        // The lanes past CIN in the last input block hold zeros on both sides of the FMA: the loop stops at the last channel.
        body.beginControlFlow("for (int cb = 0; cb < CB; cb++)");
        String lanes = "V";
        if (lastLanes() > 0) {
            lanes = fullInBlocks() > 0 ? "lanes" : "LAST_LANES";
            if (fullInBlocks() > 0) {
                body.addStatement("int lanes = cb < FULL_CB ? V : LAST_LANES");
            }
        }
        body.beginControlFlow(phased() ? "for (int i = i0; i < KH; i += DH)" : "for (int i = 0; i < KH; i++)")
                .beginControlFlow(phased() ? "for (int j = j0; j < KW; j += DW)" : "for (int j = 0; j < KW; j++)")
                .addStatement(phased() ? phasedTapStart() : "int xt = xo + cb * XCB + i * XROW + j * V")
                .addStatement("int wt = wo + ((cb * KH + i) * KW + j) * TAP_BLOCK")
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", lanes);
        for (int v = 0; v < vectors; v++) {
            body.addStatement("$T w$L = $T.fromArray(S, w, wt + ci * V$L)", vector, v, vector, GeneratedClassParts.plusTerm(v, "WOCB"));
        }
        for (int t = 0; t < positions; t++) {
            body.addStatement("$T b$L = $T.broadcast(S, x[xt + ci$L$L])", vector, t, vector, GeneratedClassParts.plusTerm(t / columns, rowStep()),
                    GeneratedClassParts.plusTerm(t % columns, columnStep()));
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L = b$L.fma(w$L, $L)", acc(t, v), t, v, acc(t, v));
            }
        }
        body.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        body.addStatement("int yo = ocb * YCB + (oh * OW + ow) * V");
        for (int t = 0; t < positions; t++) {
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L$L.intoArray(y, yo$L$L$L)", acc(t, v), relu ? ".max(0)" : "",
                        GeneratedClassParts.plusTerm(t / columns, pass.dilateH() > 1 ? "YROW_STEP" : "YROW"),
                        GeneratedClassParts.plusTerm(t % columns, pass.dilateW() > 1 ? "YCOLUMN_STEP" : "V"), GeneratedClassParts.plusTerm(v, "YCB"));
            }
        }
        return m.addCode(body.build()).build();
    }

    /**
     * The blocked output of one image back into NCHW; the lanes past COUT are dropped. Full output blocks go v
     * positions at a time through an in-register transpose, as in {@link #block()}.
     */
    private MethodSpec unblock() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("unblock")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("The blocked outputs {@code y} of one image into image {@code base} of {@code dst}, NCHW.\n")
                .addParameter(array, "y").addParameter(array, "dst").addParameter(TypeName.INT, "base");
        if (unblocksByTranspose()) {
            m.beginControlFlow("for (int ocb = 0; ocb < FULL_OCB; ocb++)")
                    .addStatement("int from = ocb * YCB")
                    .addStatement("int to = base + ocb * V * POSITIONS")
                    .beginControlFlow("for (int p = 0; p < OUT_VECTOR_POSITIONS; p += V)");
            for (int r = 0; r < pass.lanes(); r++) {
                m.addStatement("$T r$L = $T.fromArray(S, y, from + $L * V)", vector, r, vector, r == 0 ? "p" : "(p + " + r + ")");
            }
            m.addCode(transpose());
            for (int r = 0; r < pass.lanes(); r++) {
                m.addStatement("r$L.intoArray(dst, to$L + p)", r, GeneratedClassParts.plusTerm(r, "POSITIONS"));
            }
            m.endControlFlow().endControlFlow();
        }
        if (unblocksByTranspose() && outVectorPositions() < pass.outPositions()) {
                m.beginControlFlow("for (int co = 0; co < FULL_OCB * V; co++)")
                        .addStatement("int from = co / V * YCB + co % V")
                        .addStatement("int to = base + co * POSITIONS")
                        .beginControlFlow("for (int p = OUT_VECTOR_POSITIONS; p < POSITIONS; p++)")
                        .addStatement("dst[to + p] = y[from + p * V]")
                        .endControlFlow()
                        .endControlFlow();
        }
        if (!unblocksByTranspose() || pass.outChannels() % pass.lanes() != 0) {
            m.beginControlFlow("for (int co = $L; co < COUT; co++)", unblocksByTranspose() ? "FULL_OCB * V" : "0")
                    .addStatement("int from = co / V * YCB + co % V")
                    .addStatement("int to = base + co * POSITIONS")
                    .beginControlFlow("for (int p = 0; p < POSITIONS; p++)")
                    .addStatement("dst[to + p] = y[from + p * V]")
                    .endControlFlow()
                    .endControlFlow();
        }
        return m.build();
    }
}
