package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.MiniBatches;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte datasets feed the network exactly the floats of the float path they replaced: pixels converted to F32 on load,
 * scaled in place, split into copies, standardised in place, then batched. Every comparison here is bit for bit
 * ({@code assertArrayEquals} on floats compares their bits): the byte path does the same arithmetic in the same
 * order, once per channel and byte value, so no ulp of slack is needed.
 */
class Uint8DatasetTest {

    private static final int N = 60;
    private static final long SEED = 11;

    @TempDir
    Path dir;

    /** N random RGB 8×8 images whose channels differ in brightness, so that their statistics differ. */
    private static Uint8Images randomImages(long seed) {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[N * 3 * 64];
        for (int i = 0; i < pixels.length; i++) {
            int channel = i / 64 % 3;
            pixels[i] = (byte) Math.min(255, rng.nextInt(200) + 25 * channel);
        }
        return Uint8Images.of(pixels, N, 3, 8, 8);
    }

    private static Tensor randomLabels(long seed) {
        Rng rng = new Rng(seed);
        Tensor labels = Tensor.zeros(DType.F32, N);
        for (int i = 0; i < N; i++) {
            labels.set(i, rng.nextInt(5));
        }
        return labels;
    }

    /** The order DataSplits shuffles into (Fisher–Yates with the seed), written out again as the reference. */
    private static int[] shuffled(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** A float copy of rows {@code from} .. {@code to − 1} of {@code order}, as DataSplits used to make them. */
    private static Dataset copiedRows(Tensor inputs, Tensor targets, int[] order, int from, int to) {
        int sample = inputs.size() / inputs.batch();
        Tensor x = Tensor.zeros(DType.F32, inputs.shape().withoutBatch().withBatch(to - from));
        Tensor y = Tensor.zeros(DType.F32, to - from);
        for (int i = from; i < to; i++) {
            Tensor.copy(inputs, order[i] * sample, x, (i - from) * sample, sample);
            y.set(i - from, targets.get(order[i]));
        }
        return Dataset.of(x, y);
    }

    /** Every batch of an epoch (shuffled, augmented when given), each copied out. */
    private static List<float[]> epoch(Dataset data, int batchSize, BatchTransform augmentation, DType dtype) {
        MiniBatches batches = new MiniBatches(data, batchSize, true, SEED, dtype, augmentation);
        batches.startEpoch();
        List<float[]> out = new ArrayList<>();
        while (batches.hasNext()) {
            Tensor batch = batches.inputs();
            float[] values = new float[batch.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) batch.get(i);
            }
            out.add(values);
            Tensor targets = batches.targets();
            float[] labels = new float[targets.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (float) targets.get(i);
            }
            out.add(labels);
            batches.advance();
        }
        return out;
    }

    private static void assertSameBatches(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size(), "batches");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), (i % 2 == 0 ? "inputs" : "targets") + " of batch " + i / 2);
        }
    }

    @Test
    void cifarPipelineFeedsTheFloatsOfTheOldFloatPathBitForBit() {
        Uint8Images images = randomImages(1);
        Tensor labels = randomLabels(2);

        // The float path as it was: F32 pixels, scaled in place, split into copies, standardised in place.
        Tensor floats = images.toTensor();
        Transforms.scale(floats, 1 / 255.0);
        int[] order = shuffled(N, SEED);
        int trainSize = (int) Math.round(0.8 * N);
        Dataset oldTrain = copiedRows(floats, labels, order, 0, trainSize);
        Dataset oldValidation = copiedRows(floats, labels, order, trainSize, N);
        Standardizer oldStatistics = Standardizer.fit(oldTrain.inputs());
        oldStatistics.apply(oldTrain.inputs());
        oldStatistics.apply(oldValidation.inputs());

        // The byte path: the same pixels as bytes, scaled and standardised as views of them.
        Dataset all = Transforms.scaled(Dataset.of(images, labels), 1 / 255.0);
        List<Dataset> parts = DataSplits.split(all, SEED, 0.8, 0.2);
        Standardizer statistics = Standardizer.fit(parts.get(0));
        Dataset train = statistics.standardize(parts.get(0));
        Dataset validation = statistics.standardize(parts.get(1));

        assertEquals(oldStatistics, statistics, "means and standard deviations, to the last bit");
        assertArrayEquals(oldTrain.inputs().floats(), train.inputs().floats(), "standardised training split");
        assertArrayEquals(oldValidation.inputs().floats(), validation.inputs().floats(), "standardised validation split");
        assertArrayEquals(oldTrain.targets().floats(), train.targets().floats());
        // Shuffled batches with the CIFAR augmentation, whose random stream must see the same images.
        assertSameBatches(epoch(oldTrain, 16, new RandomCropFlip(2, true), DType.F32), epoch(train, 16, new RandomCropFlip(2, true), DType.F32));
        assertSameBatches(epoch(oldValidation, 7, null, DType.F32), epoch(validation, 7, null, DType.F32));
        // A double-precision model gets the same floats, widened.
        assertSameBatches(epoch(oldTrain, 16, null, DType.F64), epoch(train, 16, null, DType.F64));
    }

    @Test
    void mnistPixelsAreDividedBy255InFloatAsTheLoaderAlwaysDid() throws IOException {
        Rng rng = new Rng(3);
        Tensor pixels = Tensor.zeros(DType.F32, 20, 1, 28, 28);
        for (int i = 0; i < pixels.size(); i++) {
            pixels.set(i, i < 256 ? i : rng.nextInt(256));
        }
        Tensor labels = Tensor.zeros(DType.F32, 20);
        for (String prefix : new String[] {"train", "t10k"}) {
            Idx.writeImages(dir.resolve(prefix + "-images-idx3-ubyte"), pixels);
            Idx.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte"), labels);
        }
        float[] expected = pixels.floats().clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] /= 255f;
        }
        MnistFamily.Split split = MnistFamily.load(dir);
        assertArrayEquals(expected, split.train().inputs().floats());
        assertArrayEquals(expected, split.test().inputs().floats());
    }

    @Test
    void aBatchGatheredInPartsIsTheBatchGatheredWholeAndPartsPastItAreRefused() {
        Dataset data = Transforms.scaled(Dataset.of(randomImages(6), randomLabels(7)), 1 / 255.0);
        int[] order = shuffled(N, SEED);
        Tensor whole = Tensor.zeros(DType.F32, 13, 3, 8, 8);
        data.gatherInputs(order, 20, 13, whole);
        Tensor parts = Tensor.zeros(DType.F32, 13, 3, 8, 8);
        data.gatherInputs(order, 20, 5, parts, 0);
        data.gatherInputs(order, 25, 8, parts, 5);
        assertArrayEquals(whole.floats(), parts.floats());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> data.gatherInputs(order, 0, 9, parts, 5));
        assertEquals("gatherInputs: samples 5 to 13 of (3, 8, 8) do not fit a batch of shape (13, 3, 8, 8)", past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> data.gatherInputs(order, N - 2, 3, parts, 0));
    }

    @Test
    void standardisingFloatDataAsAViewEqualsStandardisingACopyInPlace() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Rng rng = new Rng(4);
            Tensor x = Tensor.zeros(dtype, N, 2, 3, 3);
            for (int i = 0; i < x.size(); i++) {
                x.set(i, rng.gaussian() * (1 + i % 2) + 0.3);
            }
            Dataset data = Dataset.of(x, randomLabels(5));
            int[] rows = shuffled(N, SEED);
            Dataset part = data.select(java.util.Arrays.copyOf(rows, 45));
            Tensor copy = DataSplits.take(data, java.util.Arrays.copyOf(rows, 45)).inputs();
            Standardizer inPlace = Standardizer.fit(copy);
            inPlace.apply(copy);
            Standardizer statistics = Standardizer.fit(part);
            assertEquals(inPlace, statistics, dtype.toString());
            Tensor standardised = statistics.standardize(part).inputs();
            assertEquals(dtype, standardised.dtype());
            assertArrayEquals(copy.toDoubleArray(), standardised.toDoubleArray(), 0, dtype + ": the same values, bit for bit");
        }
    }

    @Test
    void splitsAreViewsOfOneStorageAndCopiesHoldOnlyTheirRows() {
        Uint8Images images = randomImages(6);
        Dataset all = Dataset.of(images, randomLabels(7));
        List<Dataset> parts = DataSplits.split(all, SEED, 0.8, 0.2);
        float before = parts.get(1).inputs().floats()[0];
        int stored = shuffled(N, SEED)[48];
        images.pixels()[stored * 192] = (byte) (images.get(stored * 192) ^ 0x80);
        assertTrue(before != parts.get(1).inputs().floats()[0], "the validation split reads the bytes it was cut from");

        Dataset copy = DataSplits.rows(parts.get(1), 0, 5);
        Dataset compact = parts.get(1).compacted();
        assertEquals(Shape.of(12, 3, 8, 8), compact.inputs().shape());
        assertArrayEquals(parts.get(1).inputs().floats(), compact.inputs().floats());
        assertArrayEquals(java.util.Arrays.copyOf(parts.get(1).inputs().floats(), 5 * 192), copy.inputs().floats());
        images.pixels()[stored * 192] ^= (byte) 0x80;
        assertTrue(compact.inputs().floats()[0] != parts.get(1).inputs().floats()[0], "a compacted dataset has its own bytes");
    }

    @Test
    void viewsOfViewsAndHoldOutKeepEveryRowWithItsTarget() {
        Tensor labels = Tensor.zeros(DType.F32, N);
        byte[] pixels = new byte[N * 4];
        for (int i = 0; i < N; i++) {
            labels.set(i, i);
            java.util.Arrays.fill(pixels, i * 4, i * 4 + 4, (byte) i);
        }
        Dataset all = Dataset.of(Uint8Images.of(pixels, N, 1, 2, 2), labels);
        Dataset held = DataSplits.holdOut(DataSplits.split(all, SEED, 0.5, 0.5).get(1), 0.2).get(1);
        assertEquals(6, held.size());
        float[] values = held.inputs().floats();
        for (int i = 0; i < held.size(); i++) {
            assertEquals(held.targets().get(i), values[4 * i], 0, "row " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> all.select(new int[] {N}));
        assertThrows(IllegalArgumentException.class, () -> all.select(new int[0]));
    }

    @Test
    void gatheringAWarmEpochAllocatesNothing() {
        Dataset train = Transforms.scaled(Dataset.of(randomImages(8), randomLabels(9)), 1 / 255.0);
        Dataset standardised = Standardizer.fit(train).standardize(train);
        MiniBatches batches = new MiniBatches(standardised, 16, true, SEED, DType.F32, new RandomCropFlip(2, true));
        Runnable epoch = () -> {
            batches.startEpoch();
            while (batches.hasNext()) {
                batches.inputs();
                batches.targets();
                batches.advance();
            }
        };
        assertEquals(0, allocatedOnceWarm(epoch, 60), "bytes allocated by a warm epoch of gathering, scaling, standardising and augmenting");
    }

    /** Bytes {@code work} allocates on this thread, run until a run allocates none or {@code rounds} runs are done. */
    private static long allocatedOnceWarm(Runnable work, int rounds) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = -1;
        for (int round = 0; round < rounds && allocated != 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            work.run();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return allocated;
    }

    @Test
    void gatheringAWarmEpochOnVectorsAllocatesNothing() {
        Dataset divided = Dataset.of(randomImages(8), randomLabels(9)).mapped((channel, value) -> (float) value / 255f);
        assertEquals(vectorBytes(), ((Uint8Dataset) divided).dividesOnVectors());
        MiniBatches batches = new MiniBatches(divided, 16, true, SEED, DType.F32, null);
        Runnable epoch = () -> {
            batches.startEpoch();
            while (batches.hasNext()) {
                batches.inputs();
                batches.advance();
            }
        };
        // Enough rounds for C2 to compile the division loop, whose vectors the interpreter allocates.
        assertEquals(0, allocatedOnceWarm(epoch, 400), "bytes allocated by a warm epoch of gathering bytes divided on vectors");
    }

    @Test
    void uint8ImagesReadUnsignedAndRefuseNonBytes() {
        Uint8Images images = Uint8Images.of(new byte[] {0, 127, (byte) 128, (byte) 255}, 2, 2);
        assertEquals(255, images.get(3));
        assertEquals(128, images.get(2));
        assertArrayEquals(new float[] {0, 127, 128, 255}, images.toTensor().floats());
        assertEquals(images, Uint8Images.of(Tensor.of(new float[] {0, 127, 128, 255}, 2, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Uint8Images.of(Tensor.of(new float[] {0, 256}, 1, 2)));
        assertTrue(e.getMessage().contains("index 1") && e.getMessage().contains("expected 0..255"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Uint8Images.of(new byte[3], 2, 2));
    }

    /**
     * Each batch value, gathered from a random order of samples, against the table entry it must equal: raw bytes and
     * MNIST's division by 255 (gathered on vectors, with tails shorter than a vector: 5×5 and 7×7 planes), and a
     * standardising map (gathered by lookup), for one and three channels.
     */
    @Test
    void gatheringDividesOnVectorsOnlyWhereTheTableIsADivisionAndGivesItsEntriesBitForBit() {
        for (int[] dims : new int[][] {{1, 5, 5}, {3, 7, 7}, {1, 28, 28}}) {
            int n = 9;
            int sample = dims[0] * dims[1] * dims[2];
            byte[] pixels = new byte[n * sample];
            Rng rng = new Rng(dims[1]);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (i % 7 == 0 ? 255 : rng.nextInt(256));
            }
            Uint8Images images = Uint8Images.of(pixels, n, dims[0], dims[1], dims[2]);
            Tensor labels = Tensor.zeros(DType.F32, n);
            Uint8Dataset raw = Uint8Dataset.raw(images, labels);
            Dataset divided = raw.mapped((channel, value) -> (float) value / 255f);
            Dataset standardised = raw.mapped((channel, value) -> (float) (((float) value / 255f - 0.3) / (0.2 + 0.1 * channel)));
            assertEquals(vectorBytes(), raw.dividesOnVectors(), "raw bytes " + Arrays.toString(dims));
            assertEquals(vectorBytes(), ((Uint8Dataset) divided).dividesOnVectors(), "bytes / 255");
            assertTrue(!((Uint8Dataset) standardised).dividesOnVectors(), "a standardising map is not a division");
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = n - 1 - (i * 4) % n;
            }
            for (Dataset data : List.of(raw, divided, standardised)) {
                Tensor batch = Tensor.zeros(DType.F32, Shape.of(dims).withBatch(n + 1));
                data.gather(order, 0, n, batch, sample);
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < sample; i++) {
                        int v = pixels[order[b] * sample + i] & 0xFF;
                        int channel = i / (dims[1] * dims[2]);
                        float expected = data == raw ? v : data == divided ? (float) v / 255f
                                : (float) (((float) v / 255f - 0.3) / (0.2 + 0.1 * channel));
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits((float) batch.get(sample + b * sample + i)),
                                "sample " + b + " value " + i + " of " + Arrays.toString(dims));
                    }
                }
                for (int i = 0; i < sample; i++) {
                    assertEquals(0, batch.get(i), "values before the first gathered sample stay untouched");
                }
            }
        }
    }

    /** Whether this JVM's preferred float vectors hold at least eight lanes (the byte path needs a 64-bit byte vector). */
    private static boolean vectorBytes() {
        return FloatVector.SPECIES_PREFERRED.length() >= 8;
    }
}
