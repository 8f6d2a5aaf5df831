package io.simdnet.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.RandomImages;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    private static Dataset data(int n, long seed) {
        return RandomImages.of(n, 28, seed);
    }

    @Test
    void saveThenLoadGivesIdenticalPredictions() throws IOException {
        Dataset d = data(32, 1);
        Model trained = CourseModels.lenet5(true).build(DType.F32, 1);
        new Trainer(trained, new SoftmaxCrossEntropy(), new Adam(0.001)).fit(d, new FitOptions().epochs(1).batchSize(8));
        Path file = dir.resolve("lenet.safetensors");
        Checkpoint.save(file, trained);
        Model fresh = CourseModels.lenet5(true).build(DType.F32, 99);
        Checkpoint.load(file, fresh);
        assertArrayEquals(trained.predict(d.inputs(), 16).toDoubleArray(), fresh.predict(d.inputs(), 16).toDoubleArray(), 0);
    }

    @Test
    void denseWeightsAreStoredInPyTorchLayout() throws IOException {
        Model model = CourseModels.mlp(128).build(DType.F32, 1);
        Path file = dir.resolve("mlp.safetensors");
        Checkpoint.save(file, model);
        SafeTensorsContents contents = SafeTensors.read(file);
        Tensor stored = contents.tensor("dense.weight");
        assertEquals(Shape.of(128, 784), stored.shape());
        Tensor ours = model.parameter("dense.weight").value();
        assertEquals(ours.get(5 * 128 + 17), stored.get(17 * 784 + 5));
    }

    @Test
    void resumingFromCheckpointContinuesTrainingExactly() throws IOException {
        Dataset d = data(48, 2);
        Model a = CourseModels.mnistCnn().build(DType.F32, 3);
        Adam adamA = new Adam(0.002);
        Trainer trainerA = new Trainer(a, new SoftmaxCrossEntropy(), adamA);
        trainerA.fit(d, new FitOptions().epochs(1).batchSize(16).shuffle(false));
        Path file = dir.resolve("resume.safetensors");
        Checkpoint.save(file, a, adamA);
        trainerA.fit(d, new FitOptions().epochs(1).batchSize(16).shuffle(false));

        Model b = CourseModels.mnistCnn().build(DType.F32, 77);
        Adam adamB = new Adam(0.5);
        Checkpoint.load(file, b, adamB);
        assertEquals(0.002, adamB.learningRate(), 1e-15);
        new Trainer(b, new SoftmaxCrossEntropy(), adamB).fit(d, new FitOptions().epochs(1).batchSize(16).shuffle(false));
        for (String name : a.namedParameters().keySet()) {
            assertArrayEquals(a.parameter(name).value().toDoubleArray(), b.parameter(name).value().toDoubleArray(), 0, name);
        }
    }

    @Test
    void truncatedCheckpointIsRejectedAndTheModelIsUnchanged() throws IOException {
        Model model = CourseModels.mlp(128).build(DType.F32, 1);
        Path file = dir.resolve("cut.safetensors");
        Checkpoint.save(file, model);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        Model target = CourseModels.mlp(128).build(DType.F32, 2);
        double[] before = target.parameter("dense.weight").value().toDoubleArray();
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, target));
        assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
        assertArrayEquals(before, target.parameter("dense.weight").value().toDoubleArray(), 0);
    }

    @Test
    void checkpointOfAnotherModelIsRejectedNamingTheDifference() throws IOException {
        Path file = dir.resolve("other.safetensors");
        Checkpoint.save(file, CourseModels.mlp(128).build(DType.F32, 1));
        CorruptCheckpointException names = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoint.load(file, CourseModels.mlp(128, 64).build(DType.F32, 1)));
        assertTrue(names.getMessage().contains("dense_2.weight"), names.getMessage());
        CorruptCheckpointException shapes = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoint.load(file, CourseModels.mlp(100).build(DType.F32, 1)));
        assertTrue(shapes.getMessage().contains("dense.weight") && shapes.getMessage().contains("(128, 784)"), shapes.getMessage());
        CorruptCheckpointException optimizer = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoint.load(file, CourseModels.mlp(128).build(DType.F32, 1), new Adam(0.1)));
        assertTrue(optimizer.getMessage().contains("no optimizer"), optimizer.getMessage());
    }

    /** Rewrites {@code file} with one metadata entry changed (null removes it). */
    private static void editMetadata(Path file, String key, String value) throws IOException {
        SafeTensorsContents contents = SafeTensors.read(file);
        Map<String, String> metadata = new LinkedHashMap<>(contents.metadata());
        if (value == null) {
            metadata.remove(key);
        } else {
            metadata.put(key, value);
        }
        SafeTensors.write(file, contents.tensors(), metadata);
    }

    private static Map<String, double[]> snapshot(Model model, Adam adam) {
        Map<String, double[]> all = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> all.put(name, p.value().toDoubleArray()));
        adam.state().forEach((name, t) -> all.put("optimizer." + name, t.toDoubleArray()));
        all.put("steps", new double[] {adam.steps(), adam.learningRate()});
        return all;
    }

    private static void assertUnchanged(Map<String, double[]> before, Map<String, double[]> after) {
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, values) -> assertArrayEquals(values, after.get(name), 0, name));
    }

    @Test
    void badOptimizerFieldIsRejectedNamingFileAndKeyBeforeAnythingChanges() throws IOException {
        Dataset d = data(16, 4);
        Model model = CourseModels.mlp(32).build(DType.F32, 1);
        Adam adam = new Adam(0.001);
        new Trainer(model, new SoftmaxCrossEntropy(), adam).fit(d, new FitOptions().epochs(1).batchSize(8));
        Path file = dir.resolve("bad-rate.safetensors");
        Checkpoint.save(file, model, adam);

        Model target = CourseModels.mlp(32).build(DType.F32, 2);
        Adam adam2 = new Adam(0.01);
        new Trainer(target, new SoftmaxCrossEntropy(), adam2).fit(d, new FitOptions().epochs(2).batchSize(4));
        Map<String, double[]> before = snapshot(target, adam2);
        for (String[] edit : new String[][] {{"optimizer.learning_rate", "abc"}, {"optimizer.learning_rate", "-1"},
            {"optimizer.steps", "1.5"}, {"optimizer.steps", null}, {"optimizer.steps", "-3"}}) {
            Checkpoint.save(file, model, adam);
            editMetadata(file, edit[0], edit[1]);
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.load(file, target, adam2));
            assertTrue(e.getMessage().contains("bad-rate.safetensors") && e.getMessage().contains(edit[0].equals("optimizer.steps") && "-3".equals(edit[1])
                    ? "step count" : edit[0]), e.getMessage());
            assertUnchanged(before, snapshot(target, adam2));
        }
    }

    @Test
    void optimizerStateOfTheWrongShapeOrAMissingMomentIsRejectedBeforeAnythingChanges() throws IOException {
        Model model = CourseModels.mlp(32).build(DType.F32, 1);
        Adam adam = new Adam(0.001);
        new Trainer(model, new SoftmaxCrossEntropy(), adam).fit(data(16, 4), new FitOptions().epochs(1).batchSize(8));
        Path file = dir.resolve("state.safetensors");
        Checkpoint.save(file, model, adam);
        SafeTensorsContents contents = SafeTensors.read(file);
        Map<String, Tensor> tensors = new LinkedHashMap<>(contents.tensors());
        tensors.remove("optimizer.exp_avg_sq.dense_1.bias");
        SafeTensors.write(file, tensors, contents.metadata());
        Model target = CourseModels.mlp(32).build(DType.F32, 2);
        Adam adam2 = new Adam(0.01);
        Map<String, double[]> before = snapshot(target, adam2);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.load(file, target, adam2));
        assertTrue(e.getMessage().contains("exp_avg_sq.dense_1.bias"), e.getMessage());
        assertUnchanged(before, snapshot(target, adam2));
    }

    @Test
    void checkpointOfAnotherElementTypeOrFormatIsRejected() throws IOException {
        Path file = dir.resolve("f64.safetensors");
        Checkpoint.save(file, CourseModels.mlp(32).build(DType.F64, 1));
        Model f32 = CourseModels.mlp(32).build(DType.F32, 2);
        double[] before = f32.parameter("dense.weight").value().toDoubleArray();
        CorruptCheckpointException dtype = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.load(file, f32));
        assertTrue(dtype.getMessage().contains("\"dtype\"") && dtype.getMessage().contains("F64"), dtype.getMessage());
        editMetadata(file, "dtype", "F32");
        CorruptCheckpointException tensor = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.load(file, f32));
        assertTrue(tensor.getMessage().contains("dense") && tensor.getMessage().contains("F64"), tensor.getMessage());
        editMetadata(file, "format", "simdnet-checkpoint-9");
        CorruptCheckpointException format = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.load(file, f32));
        assertTrue(format.getMessage().contains("\"format\"") && format.getMessage().contains("simdnet-checkpoint-9"), format.getMessage());
        assertArrayEquals(before, f32.parameter("dense.weight").value().toDoubleArray(), 0);
    }

    @Test
    void adamMomentsOfDenseWeightsAreStoredInTheWeightsLayout() throws IOException {
        Dataset d = data(16, 4);
        Model model = CourseModels.mlp(32).build(DType.F32, 1);
        Adam adam = new Adam(0.01);
        new Trainer(model, new SoftmaxCrossEntropy(), adam).fit(d, new FitOptions().epochs(1).batchSize(8));
        Path file = dir.resolve("adam.safetensors");
        Checkpoint.save(file, model, adam);
        SafeTensorsContents contents = SafeTensors.read(file);
        assertEquals(contents.tensor("dense.weight").shape(), contents.tensor("optimizer.exp_avg.dense.weight").shape());
        assertEquals(Shape.of(32, 784), contents.tensor("optimizer.exp_avg_sq.dense.weight").shape());
        Tensor moment = adam.state().get("exp_avg.dense.weight");
        assertEquals(moment.get(5 * 32 + 17), contents.tensor("optimizer.exp_avg.dense.weight").get(17 * 784 + 5));
    }

    @Test
    void denseWeightsCannotBeSetWithoutSayingTheirLayout() {
        Model model = io.simdnet.engine.model.Sequential.input(3).add(new io.simdnet.engine.layer.Dense(3)).build(DType.F64, 1);
        Tensor pytorch = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setParameter("dense.weight", pytorch));
        assertTrue(e.getMessage().contains("(in, out)") && e.getMessage().contains("ParameterLayout.PYTORCH"), e.getMessage());
        model.setParameter("dense.weight", pytorch, io.simdnet.engine.model.ParameterLayout.PYTORCH);
        model.setParameter("dense.bias", Tensor.zeros(DType.F64, 3));
        // PyTorch's Linear: y = x·Wᵀ, so y_0 = W[0,:]·x.
        Tensor y = model.forward(Tensor.of(new double[] {1, 0, -1}, 1, 3), false);
        assertArrayEquals(new double[] {1 - 3, 4 - 6, 7 - 9}, y.toDoubleArray(), 0);
        assertArrayEquals(pytorch.toDoubleArray(), model.parameterValue("dense.weight", io.simdnet.engine.model.ParameterLayout.PYTORCH).toDoubleArray());
        assertArrayEquals(new double[] {1, 4, 7, 2, 5, 8, 3, 6, 9},
                model.parameterValue("dense.weight", io.simdnet.engine.model.ParameterLayout.SIMDNET).toDoubleArray());
    }

    @Test
    void parametersCanBeReadAndSetByName() {
        Model model = CourseModels.mlp(128).build(DType.F32, 1);
        Tensor bias = Tensor.zeros(DType.F64, 10);
        bias.set(3, 2.5);
        model.setParameter("dense_1.bias", bias);
        Parameter p = model.parameter("dense_1.bias");
        assertEquals(2.5, p.value().get(3));
        assertThrows(IllegalArgumentException.class, () -> model.setParameter("dense_1.bias", Tensor.zeros(DType.F32, 11)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.parameter("fc1.weight"));
        assertTrue(e.getMessage().contains("dense.weight"), e.getMessage());
    }
}
