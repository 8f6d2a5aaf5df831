package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomCropFlipTest {

    private static final int N = 64;
    private static final int C = 2;
    private static final int H = 5;
    private static final int W = 6;

    /** A batch whose every value is positive and distinct, so a zero can only come from the padding. */
    private static Tensor batch(DType dtype) {
        Tensor batch = Tensor.zeros(dtype, N, C, H, W);
        for (int i = 0; i < batch.size(); i++) {
            batch.set(i, i + 1);
        }
        return batch;
    }

    private static double at(Tensor t, int n, int c, int y, int x) {
        return t.get(((n * C + c) * H + y) * W + x);
    }

    /** Whether image n of {@code out} is image n of {@code in} shifted by (dy, dx), mirrored if {@code flip}, zeros shifted in. */
    private static boolean isWindow(Tensor in, Tensor out, int n, int dy, int dx, boolean flip) {
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = y + dy;
                    int sx = (flip ? W - 1 - x : x) + dx;
                    double expected = sy >= 0 && sy < H && sx >= 0 && sx < W ? at(in, n, c, sy, sx) : 0;
                    if (at(out, n, c, y, x) != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The (dy, dx, flip) of every image, or fails if an image is no such window with |dy|, |dx| <= padding. */
    private static Set<String> windows(Tensor in, Tensor out, int padding, boolean flips) {
        Set<String> seen = new HashSet<>();
        for (int n = 0; n < N; n++) {
            String found = null;
            for (int dy = -padding; dy <= padding && found == null; dy++) {
                for (int dx = -padding; dx <= padding && found == null; dx++) {
                    for (boolean flip : flips ? new boolean[] {false, true} : new boolean[] {false}) {
                        if (isWindow(in, out, n, dy, dx, flip)) {
                            found = dy + "," + dx + "," + flip;
                            break;
                        }
                    }
                }
            }
            assertTrue(found != null, "image " + n + " is not a shifted window of the input");
            seen.add(found);
        }
        return seen;
    }

    @Test
    void noPaddingAndNoFlipIsTheIdentity() {
        Tensor batch = batch(DType.F32);
        new RandomCropFlip(0, false).apply(batch, new Rng(1));
        assertArrayEquals(batch(DType.F32).floats(), batch.floats());
    }

    @Test
    void paddingShiftsEachImageByAtMostThePaddingWithZerosAtTheBorder() {
        Tensor batch = batch(DType.F32);
        new RandomCropFlip(2, false).apply(batch, new Rng(2));
        Set<String> offsets = windows(batch(DType.F32), batch, 2, false);
        assertTrue(offsets.size() > 10, "offsets drawn across 64 images: " + offsets);
        assertTrue(offsets.stream().anyMatch(o -> o.startsWith("-2,")) && offsets.stream().anyMatch(o -> o.startsWith("2,")),
                "both extreme row shifts occur: " + offsets);
        long zeros = Arrays.stream(batch.toDoubleArray()).filter(v -> v == 0).count();
        assertTrue(zeros > 0, "zero padding shifted in");
    }

    @Test
    void flipMirrorsAboutHalfTheImages() {
        Tensor batch = batch(DType.F32);
        new RandomCropFlip(0, true).apply(batch, new Rng(3));
        Tensor input = batch(DType.F32);
        int mirrored = 0;
        for (int n = 0; n < N; n++) {
            boolean same = isWindow(input, batch, n, 0, 0, false);
            boolean flipped = isWindow(input, batch, n, 0, 0, true);
            assertTrue(same ^ flipped, "image " + n + " is either unchanged or mirrored");
            mirrored += flipped ? 1 : 0;
        }
        assertTrue(mirrored > 16 && mirrored < 48, mirrored + " of 64 mirrored");
    }

    @Test
    void cropAndFlipTogetherInDoublePrecision() {
        Tensor batch = batch(DType.F64);
        new RandomCropFlip(1, true).apply(batch, new Rng(4));
        Set<String> windows = windows(batch(DType.F64), batch, 1, true);
        assertTrue(windows.stream().anyMatch(w -> w.endsWith("true")) && windows.stream().anyMatch(w -> w.endsWith("false")), windows.toString());
    }

    @Test
    void sameSeedSameResultOtherSeedOtherResult() {
        Tensor a = batch(DType.F32);
        Tensor b = batch(DType.F32);
        Tensor c = batch(DType.F32);
        new RandomCropFlip(3, true).apply(a, new Rng(5));
        new RandomCropFlip(3, true).apply(b, new Rng(5));
        new RandomCropFlip(3, true).apply(c, new Rng(6));
        assertArrayEquals(a.floats(), b.floats());
        assertFalse(Arrays.equals(a.floats(), c.floats()));
    }

    @Test
    void warmedUpApplyAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RandomCropFlip transform = new RandomCropFlip(2, true);
        Tensor batch = batch(DType.F32);
        Rng rng = new Rng(7);
        for (int i = 0; i < 2_000; i++) {
            transform.apply(batch, rng);
        }
        long allocated = -1;
        // The JIT compiles in the background; count again until it has caught up (at most 60 rounds).
        for (int round = 0; round < 60 && allocated != 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10; i++) {
                transform.apply(batch, rng);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by 10 warmed-up calls");
    }

    @Test
    void refusesNegativePaddingAndNonImages() {
        assertThrows(IllegalArgumentException.class, () -> new RandomCropFlip(-1, true));
        assertThrows(IllegalArgumentException.class, () -> new RandomCropFlip(1, true).apply(Tensor.zeros(DType.F32, 2, 8), new Rng(1)));
    }
}
