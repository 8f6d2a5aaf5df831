package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.MiniBatches;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Augmentation in training: it reaches the training batches only, and the model still learns. */
class AugmentedTrainingTest {

    /** Dark (class 0) and bright (class 1) noisy 6×6 images: a class survives shifting and mirroring. */
    private static Dataset brightness(int count, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 1, 6, 6);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int n = 0; n < count; n++) {
            int label = n % 2;
            y.set(n, label);
            for (int i = 0; i < 36; i++) {
                x.set(n * 36 + i, (label == 1 ? 0.8 : 0.2) + 0.1 * rng.gaussian());
            }
        }
        return Dataset.of(x, y);
    }

    private static Model tinyModel() {
        return Sequential.input(1, 6, 6).add(new Flatten()).add(new Dense(16)).add(new Relu()).add(new Dense(2)).build(DType.F32, 1);
    }

    /** Records the batch sizes it sees, then crops and flips. */
    private static final class Recording implements BatchTransform {
        final List<Integer> sizes = new ArrayList<>();
        final RandomCropFlip inner = new RandomCropFlip(1, true);

        @Override
        public void apply(Tensor batch, Rng rng) {
            sizes.add(batch.batch());
            inner.apply(batch, rng);
        }
    }

    @Test
    void modelStillLearnsWithCropAndFlip() {
        Dataset train = brightness(64, 1);
        Trainer trainer = new Trainer(tinyModel(), new SoftmaxCrossEntropy(), new Adam(0.01));
        History history = trainer.fit(train, new FitOptions().epochs(15).batchSize(16).seed(2).augmentation(new RandomCropFlip(1, true)));
        double first = history.epochs().get(0).trainLoss();
        double last = history.last().trainLoss();
        assertTrue(last < first / 2, "loss " + first + " -> " + last);
        assertEquals(1.0, trainer.evaluate(brightness(40, 3), 20).accuracy(), "accuracy on fresh, unaugmented data");
    }

    @Test
    void onlyTrainingBatchesAreAugmented() {
        Recording recording = new Recording();
        Trainer trainer = new Trainer(tinyModel(), new SoftmaxCrossEntropy(), new Adam(0.01));
        // 48 training samples in batches of 16, validation in one batch of 20: sizes tell the two apart.
        trainer.fit(brightness(48, 1), new FitOptions().epochs(2).batchSize(16).validation(brightness(20, 2)).validationBatchSize(20)
                .augmentation(recording));
        assertEquals(List.of(16, 16, 16, 16, 16, 16), recording.sizes, "3 training batches per epoch, 2 epochs, no validation batch");
        trainer.evaluate(brightness(20, 3), 10);
        assertEquals(6, recording.sizes.size(), "evaluate does not augment");
    }

    @Test
    void augmentationChangesTrainingButNotTheShuffleOrder() {
        Dataset data = brightness(40, 1);
        MiniBatches plain = new MiniBatches(data, 8, true, 9, DType.F32);
        MiniBatches augmented = new MiniBatches(data, 8, true, 9, DType.F32, new RandomCropFlip(1, true));
        boolean inputsDiffer = false;
        for (int epoch = 0; epoch < 2; epoch++) {
            plain.startEpoch();
            augmented.startEpoch();
            while (plain.hasNext()) {
                assertArrayEquals(plain.targets().floats().clone(), augmented.targets().floats().clone(), "same samples in the same order");
                inputsDiffer |= !Arrays.equals(plain.inputs().floats(), augmented.inputs().floats());
                plain.advance();
                augmented.advance();
            }
            assertFalse(augmented.hasNext());
        }
        assertTrue(inputsDiffer, "the augmentation changed the inputs");
    }

    @Test
    void sameSeedGivesTheSameAugmentedTraining() {
        List<double[]> first = weightsAfterAugmentedTraining();
        List<double[]> second = weightsAfterAugmentedTraining();
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), 0, "parameter " + i);
        }
    }

    private static List<double[]> weightsAfterAugmentedTraining() {
        Model model = tinyModel();
        new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(brightness(32, 1),
                new FitOptions().epochs(2).batchSize(8).seed(4).augmentation(new RandomCropFlip(1, true)));
        return model.namedParameters().values().stream().map(p -> p.value().toDoubleArray()).toList();
    }
}
