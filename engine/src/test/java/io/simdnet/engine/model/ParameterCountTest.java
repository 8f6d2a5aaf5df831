package io.simdnet.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.layer.Parameter;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

/** The parameter counts Keras' and PyTorch's summaries print for the course networks. */
class ParameterCountTest {

    private static long count(Model model, boolean trainable) {
        return model.namedParameters().values().stream().filter(p -> p.trainable() == trainable).mapToLong(p -> p.value().size()).sum();
    }

    @Test
    void mlp784x128x10Has101770() {
        Model m = CourseModels.mlp(128).build(DType.F32, 1);
        assertEquals(101_770, count(m, true));
        assertTrue(m.summary().contains("Total params: 101,770"), m.summary());
    }

    @Test
    void mlp784x128x64x10Has109386() {
        Model m = CourseModels.mlp(128, 64).build(DType.F32, 1);
        assertEquals(109_386, count(m, true));
    }

    @Test
    void mnistCnnHas47658() {
        Model m = CourseModels.mnistCnn().build(DType.F32, 1);
        assertEquals(47_658, count(m, true));
    }

    @Test
    void lenet5Has61706() {
        Model m = CourseModels.lenet5(false).build(DType.F32, 1);
        assertEquals(61_706, count(m, true));
        assertEquals(0, count(m, false));
    }

    @Test
    void dropoutAddsNoParameters() {
        assertEquals(61_706, count(CourseModels.lenet5(false, 0.5).build(DType.F32, 1), true));
    }

    @Test
    void lenet5WithBatchNormHas62274Of284NonTrainable() {
        Model m = CourseModels.lenet5(true).build(DType.F32, 1);
        assertEquals(62_274, count(m, true) + count(m, false));
        assertEquals(284, count(m, false));
        String summary = m.summary();
        assertTrue(summary.contains("Total params: 62,274"), summary);
        assertTrue(summary.contains("Trainable params: 61,990"), summary);
        assertTrue(summary.contains("Non-trainable params: 284"), summary);
    }

    @Test
    void summaryListsLayersWithKerasNamesAndShapes() {
        String summary = CourseModels.lenet5(false).build(DType.F32, 1).summary();
        assertTrue(summary.contains("conv2d (Conv2d+ReLU)"), summary);
        assertTrue(summary.contains("conv2d_1 (Conv2d+ReLU)"), summary);
        assertTrue(summary.contains("(None, 6, 28, 28)"), summary);
        assertTrue(summary.contains("(None, 120)"), summary);
        assertTrue(summary.contains("48,120"), summary);
    }

    @Test
    void parametersHavePyTorchStyleNames() {
        Model m = CourseModels.lenet5(true).build(DType.F32, 1);
        Parameter runningVar = m.parameter("batch_norm_1.running_var");
        assertEquals(16, runningVar.value().size());
        assertEquals(false, runningVar.trainable());
        assertEquals(84 * 120, m.parameter("dense.weight").value().size());
    }
}
