import io.simdnet.engine.io.PyTorchWeights;
import io.simdnet.engine.model.*;
import io.simdnet.engine.tensor.*;
import io.simdnet.engine.data.Npy;
import java.nio.file.Path;

public class Export {
    public static void main(String[] a) throws Exception {
        Model m = CourseModels.lenet5(true).build(DType.F32, 5);
        // give batch norm non-trivial running stats
        Tensor x = Tensor.zeros(DType.F32, 4, 1, 28, 28);
        io.simdnet.engine.init.Rng rng = new io.simdnet.engine.init.Rng(3);
        for (int i = 0; i < x.size(); i++) x.set(i, rng.uniform(0, 1));
        m.forward(x, true);
        PyTorchWeights.save(Path.of(a[0], "lenet_bn.safetensors"), m);
        Npy.write(Path.of(a[0], "x.npy"), x);
        Npy.write(Path.of(a[0], "y_simdnet.npy"), m.predict(x, 4));
        if (a.length > 1) {
            Model back = CourseModels.lenet5(true).build(DType.F32, 9);
            PyTorchWeights.load(Path.of(a[0], "from_torch.safetensors"), back);
            Npy.write(Path.of(a[0], "y_back.npy"), back.predict(x, 4));
        }
    }
}
