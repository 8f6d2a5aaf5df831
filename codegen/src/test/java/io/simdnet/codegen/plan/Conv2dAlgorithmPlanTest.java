package io.simdnet.codegen.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which algorithm a convolution's plan chooses, and what a DIRECT plan's passes look like. */
class Conv2dAlgorithmPlanTest {

    private static Conv2dAlgorithmPlan plan(String key) {
        return Conv2dAlgorithmPlan.of(Conv2dSpec.parse(key));
    }

    @Test
    void theRuleGivesDenseBlockedDirectOrIm2colByGeometry() {
        String avx2 = " bits=256 regs=16";
        String avx512 = " bits=512 regs=32";
        assertEquals(Conv2dAlgorithm.DENSE, plan("conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5" + avx2).algorithm());
        assertEquals(Conv2dAlgorithm.BLOCKED, plan("conv2d f32 c=64 h=16 w=16 oc=64 kh=3 kw=3 pad=1" + avx512).algorithm());
        assertEquals(Conv2dAlgorithm.BLOCKED, plan("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5" + avx2).algorithm(), "6 of 8 lanes");
        assertEquals(Conv2dAlgorithm.DIRECT, plan("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5" + avx512).algorithm(), "6 of 16 lanes");
        assertEquals(Conv2dAlgorithm.DIRECT, plan("conv2d f32 c=3 h=32 w=32 oc=32 kh=3 kw=3 pad=1" + avx2).algorithm(), "3 of 8 lanes");
        assertEquals(Conv2dAlgorithm.DIRECT, plan("conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same" + avx2).algorithm());
        assertEquals(Conv2dAlgorithm.IM2COL, plan("conv2d f32 c=3 h=31 w=31 oc=25 kh=3 kw=3 sh=2 pad=1").algorithm(), "strided, 3 channels");
        assertEquals(Conv2dAlgorithm.BLOCKED, plan("conv2d f32 c=64 h=16 w=16 oc=128 kh=3 kw=3 sh=2 pad=1" + avx512).algorithm(),
                "strided, whole channel blocks");
        assertEquals(Conv2dAlgorithm.IM2COL, plan("conv2d f32 c=64 h=16 w=16 oc=128 kh=3 kw=3 sh=2 pad=1" + avx2).algorithm(),
                "strided at 256 bits");
        assertEquals(Conv2dAlgorithm.IM2COL, plan("conv2d f32 c=64 h=16 w=16 oc=128 kh=3 kw=3 sh=2 pad=1 bits=128 regs=32").algorithm(),
                "strided at 128 bits");
        assertEquals(Conv2dAlgorithm.IM2COL, plan("conv2d f32 c=3 h=8 w=8 oc=4 kh=2 kw=2 pad=2").algorithm(), "padding ≥ kernel");
        assertEquals(Conv2dAlgorithm.IM2COL, plan("conv2d f32 c=64 h=8 w=8 oc=64 kh=2 kw=2 pad=2").algorithm(), "padding ≥ kernel");
    }

    @Test
    void aStridedBlockedPlanRunsBackwardDataOnDyDilatedByTheStride() {
        Conv2dAlgorithmPlan p = plan("conv2d f32 c=16 h=9 w=10 oc=24 kh=3 kw=3 sh=2 sw=3 pt=1 pb=0 pl=2 pr=1 algo=blocked");
        BlockedConvPass forward = p.blockedForward();
        assertEquals(List.of(2, 3, 1, 1), List.of(forward.strideH(), forward.strideW(), forward.dilateH(), forward.dilateW()));
        assertEquals(List.of(4, 4), List.of(forward.outHeight(), forward.outWidth()), "floor((9 + 1 − 3) / 2) + 1 by floor((10 + 3 − 3) / 3) + 1");
        BlockedConvPass data = p.blockedBackwardData();
        assertEquals(List.of(1, 1, 2, 3), List.of(data.strideH(), data.strideW(), data.dilateH(), data.dilateW()));
        assertEquals(List.of(9, 10), List.of(data.outHeight(), data.outWidth()), "dX has the input's positions");
        assertEquals(List.of(1, 3, 0, 2), List.of(data.padTop(), data.padBottom(), data.padLeft(), data.padRight()),
                "K − 1 − p before; after, the rows and columns no window reached");
    }

    @Test
    void aBlockedRequestWithPaddingAtTheKernelSizeIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan("conv2d f32 c=16 h=9 w=9 oc=16 kh=3 kw=3 sh=2 pad=3 algo=blocked"));
        assertTrue(e.getMessage().contains("algo=blocked needs padding below the kernel size"), e.getMessage());
    }

    @Test
    void blockedTilesFitTheRegistersAndCoverTheChannelsInWholeBlocks() {
        for (VectorTarget target : new VectorTarget[] {VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32), new VectorTarget(128, 16)}) {
            for (int oc : new int[] {1, 6, 16, 17, 64}) {
                Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=19 h=5 w=3 oc=" + oc + " kh=3 kw=3 pad=1 algo=blocked").withTarget(target);
                Conv2dAlgorithmPlan p = Conv2dAlgorithmPlan.of(spec);
                for (BlockedConvPass pass : new BlockedConvPass[] {p.blockedForward(), p.blockedBackwardData()}) {
                    assertTrue(pass.positions() * pass.vectors() + pass.vectors() + 1 <= target.registers(), spec.key());
                    assertTrue(pass.positions() <= pass.outPositions(), "a tile no larger than the map: " + spec.key());
                    assertTrue(pass.inBlocks() * pass.lanes() >= pass.inChannels() && (pass.inBlocks() - 1) * pass.lanes() < pass.inChannels());
                }
                assertEquals(19, p.blockedBackwardData().outChannels(), "dX has the input's channels");
                assertEquals(15, p.blockedBackwardData().outPositions(), "dX has the input's positions");
                BlockedWeightsTile w = p.blockedWeights();
                assertTrue(w.channels() * w.taps() + w.taps() + 1 <= target.registers(), spec.key());
                assertTrue(w.channels() <= oc, spec.key());
            }
        }
    }

    @Test
    void anAskedAlgorithmIsKeptAndNamedInKeyAndClassName() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col");
        assertEquals(Conv2dAlgorithm.IM2COL, Conv2dAlgorithmPlan.of(spec).algorithm());
        assertTrue(spec.key().endsWith(" algo=im2col"), spec.key());
        assertTrue(spec.className().contains("Im2col_"), spec.className());
        assertEquals(spec, Conv2dSpec.parse(spec.key()));
        Conv2dSpec auto = spec.withAlgorithm(Conv2dAlgorithm.AUTO);
        assertTrue(!auto.key().contains("algo="), "AUTO is not written: " + auto.key());
        assertNotEquals(spec.className(), auto.className());
    }

    @Test
    void aDenseRequestOnAnotherGeometryIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=dense"));
        assertTrue(e.getMessage().contains("algo=dense"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=fast"));
    }

    @Test
    void backwardDataIsTheForwardOfTheTransposedGeometry() {
        Conv2dAlgorithmPlan p = plan("conv2d f32 c=3 h=9 w=7 oc=5 kh=3 kw=2 pt=2 pb=0 pl=1 pr=0");
        DirectConvPass forward = p.forwardPass();
        DirectConvPass back = p.backwardDataPass();
        assertEquals(p.spec().outHeight(), forward.outHeight());
        assertEquals(p.spec().outWidth(), forward.outWidth());
        assertEquals(5, back.inChannels());
        assertEquals(3, back.outChannels());
        assertEquals(9, back.outHeight(), "dX has the input's height");
        assertEquals(7, back.outWidth(), "dX has the input's width");
        assertEquals(0, back.padTop(), "K − 1 − 2");
        assertEquals(2, back.padBottom(), "K − 1 − 0");
    }

    @Test
    void everyTileFitsTheRegistersAndTheBufferCoversTheLastTilesReach() {
        for (VectorTarget target : new VectorTarget[] {VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32)}) {
            for (int oc : new int[] {1, 6, 16, 17, 64}) {
                Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=3 h=13 w=11 oc=" + oc + " kh=3 kw=3 pad=1 algo=direct").withTarget(target);
                Conv2dAlgorithmPlan p = Conv2dAlgorithmPlan.of(spec);
                for (DirectConvPass pass : new DirectConvPass[] {p.forwardPass(), p.backwardDataPass()}) {
                    assertTrue(DirectConvPass.registersUsed(pass.outChannelBlock(), pass.vectors()) <= target.registers(), spec.key());
                    int lastRead = (pass.inChannels() - 1) * pass.plane() + pass.wideLength() - 1 + (pass.kernelH() - 1) * pass.paddedWidth()
                            + pass.kernelW() - 1;
                    assertTrue(lastRead < pass.paddedInputLength(), spec.key());
                }
                DirectConvTiling.WeightsTile w = p.weightsTile();
                assertTrue(DirectConvTiling.WeightsTile.registersUsed(w.outChannelBlock(), w.taps()) <= target.registers(), spec.key());
            }
        }
    }
}
