package io.simdnet.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.kernel.DType;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.RandomImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** state_dict files a PyTorch nn.Sequential loads with strict=True, and their import. */
class PyTorchWeightsTest {

    @TempDir
    Path dir;

    @Test
    void mnistCnnGetsTheKeysAndShapesOfItsPyTorchSequential() throws IOException {
        // nn.Sequential(Conv2d(1,10,5), ReLU(), MaxPool2d(2), Conv2d(10,20,5), ReLU(), MaxPool2d(2), Flatten(),
        //               Linear(320,128), ReLU(), Linear(128,10))
        Model model = CourseModels.mnistCnn().build(DType.F32, 1);
        Path file = dir.resolve("mnist_cnn.safetensors");
        PyTorchWeights.save(file, model);
        SafeTensorsContents contents = SafeTensors.read(file);
        Map<String, Shape> expected = new LinkedHashMap<>();
        expected.put("0.weight", Shape.of(10, 1, 5, 5));
        expected.put("0.bias", Shape.of(10));
        expected.put("3.weight", Shape.of(20, 10, 5, 5));
        expected.put("3.bias", Shape.of(20));
        expected.put("7.weight", Shape.of(128, 320));
        expected.put("7.bias", Shape.of(128));
        expected.put("9.weight", Shape.of(10, 128));
        expected.put("9.bias", Shape.of(10));
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(contents.tensors().keySet()), "keys and nothing else (no optimiser state)");
        expected.forEach((key, shape) -> assertEquals(shape, contents.tensor(key).shape(), key));
        assertEquals("pt", contents.metadata().get("format"));
        Tensor ours = model.parameter("dense.weight").value();
        assertEquals(ours.get(5 * 128 + 17), contents.tensor("7.weight").get(17 * 320 + 5), "Linear.weight is (out, in)");
    }

    @Test
    void batchNormLeNetNamesFollowPyTorchModuleIndices() {
        // Conv2d, BatchNorm2d, ReLU, MaxPool2d, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Conv2d, BatchNorm2d, ReLU, Flatten, Linear, ReLU, Linear
        Map<String, String> names = PyTorchWeights.names(CourseModels.lenet5(true).build(DType.F32, 1));
        assertEquals("0.weight", names.get("conv2d.weight"));
        assertEquals("1.running_var", names.get("batch_norm.running_var"));
        assertEquals("4.weight", names.get("conv2d_1.weight"));
        assertEquals("8.bias", names.get("conv2d_2.bias"));
        assertEquals("12.weight", names.get("dense.weight"));
        assertEquals("14.weight", names.get("dense_1.weight"));
    }

    @Test
    void saveThenLoadGivesIdenticalPredictions() throws IOException {
        Dataset d = RandomImages.of(8, 28, 3);
        Model source = CourseModels.lenet5(true).build(DType.F32, 1);
        Path file = dir.resolve("lenet.safetensors");
        PyTorchWeights.save(file, source);
        Model target = CourseModels.lenet5(true).build(DType.F32, 2);
        PyTorchWeights.load(file, target);
        assertArrayEquals(source.predict(d.inputs(), 4).toDoubleArray(), target.predict(d.inputs(), 4).toDoubleArray(), 0);
    }

    @Test
    void aStateDictWrittenInPyTorchsLayoutComputesPyTorchsFunction() throws IOException {
        // What save_file(nn.Sequential(nn.Linear(2, 2)).state_dict()) writes, with num_batches_tracked-style extras ignored.
        Map<String, Tensor> stateDict = new LinkedHashMap<>();
        stateDict.put("0.weight", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        stateDict.put("0.bias", Tensor.of(new float[] {0.5f, -0.5f}, 2));
        stateDict.put("1.num_batches_tracked", Tensor.of(new float[] {7}, 1));
        Path file = dir.resolve("linear.safetensors");
        SafeTensors.write(file, stateDict, Map.of("format", "pt"));
        Model model = Sequential.input(2).add(new Dense(2)).build(DType.F32, 1);
        PyTorchWeights.load(file, model);
        // y = x·Wᵀ + b with x = (1, 10): (1 + 20 + 0.5, 3 + 40 − 0.5); a square layer loaded untransposed would give (31.5, 41.5).
        assertArrayEquals(new double[] {21.5, 42.5}, model.forward(Tensor.of(new float[] {1, 10}, 1, 2), false).toDoubleArray(), 0);
    }

    @Test
    void aStateDictOfAnotherNetworkIsRejectedAndTheModelIsUnchanged() throws IOException {
        Path file = dir.resolve("mlp.safetensors");
        PyTorchWeights.save(file, CourseModels.mlp(64).build(DType.F32, 1));
        Model wider = CourseModels.mlp(128).build(DType.F32, 2);
        double[] before = wider.parameter("dense.weight").value().toDoubleArray();
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> PyTorchWeights.load(file, wider));
        assertTrue(shape.getMessage().contains("\"1.weight\" has shape (64, 784)") && shape.getMessage().contains("(128, 784)"), shape.getMessage());
        assertArrayEquals(before, wider.parameter("dense.weight").value().toDoubleArray(), 0);
        IllegalArgumentException keys = assertThrows(IllegalArgumentException.class,
                () -> PyTorchWeights.load(file, CourseModels.mlp(64, 32).build(DType.F32, 1)));
        assertTrue(keys.getMessage().contains("missing keys [5.bias, 5.weight]"), keys.getMessage());
    }

    @Test
    void ownNamesMapOntoAModulesAttributes() throws IOException {
        Model model = CourseModels.mlp(16).build(DType.F32, 1);
        Map<String, String> names = Map.of("dense.weight", "fc1.weight", "dense.bias", "fc1.bias", "dense_1.weight", "fc2.weight",
                "dense_1.bias", "fc2.bias");
        Path file = dir.resolve("net.safetensors");
        PyTorchWeights.save(file, model, names);
        assertEquals(Shape.of(10, 16), SafeTensors.read(file).tensor("fc2.weight").shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PyTorchWeights.save(file, model, Map.of("dense.weight", "fc1.weight")));
        assertTrue(e.getMessage().contains("without a name [dense.bias, dense_1.bias, dense_1.weight]"), e.getMessage());
    }
}
