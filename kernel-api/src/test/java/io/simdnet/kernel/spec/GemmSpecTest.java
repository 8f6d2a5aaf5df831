package io.simdnet.kernel.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GemmSpecTest {

    @Test
    void keyParsesBackToAnEqualSpec() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NT, 128, 784, true, false);
        assertEquals(spec, KernelSpec.parse(spec.key()));
    }

    @Test
    void catalogShorthandFillsInTheDefaultTiling() {
        GemmSpec parsed = GemmSpec.parse("gemm f32 NN k=784 n=128 bias=true");
        assertEquals(GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false), parsed);
    }

    @Test
    void explicitTilingKeysOverrideTheDefaults() {
        GemmSpec parsed = GemmSpec.parse("gemm f64 TN k=64 n=64 mr=4 nrv=3 kc=32");
        assertEquals(4, parsed.tiling().mr());
        assertEquals(3, parsed.tiling().nrVectors());
        assertEquals(32, parsed.tiling().kc());
    }

    @Test
    void classNamesDifferWhenTheTilingDiffers() {
        GemmSpec a = GemmSpec.parse("gemm f32 NN k=64 n=64 mr=4");
        GemmSpec b = GemmSpec.parse("gemm f32 NN k=64 n=64 mr=5");
        assertTrue(!a.className().equals(b.className()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gemm f32 NN k=0 n=5 | K and N must be positive",
        "gemm f32 NN k=5 n=-1 | K and N must be positive",
        "gemm f16 NN k=5 n=5 | unknown element type 'f16'",
        "gemm f32 XX k=5 n=5 | form 'XX'",
        "gemm f32 NN n=5 k=5 bogus=1 | unknown keys [bogus]",
        "gemm f32 NN k=5 | missing n=<int>",
        "gemm f32 NN k=five n=5 | k='five' is not an integer",
        "gemm f32 NN k=5 n=5 mr=30 nrv=4 | needs 125 vector registers",
        "gemm f32 NN k=5 n=64 mr=7 nrv=4 | needs 33 vector registers",
        "gemm f32 NN k=5 n=5 nrv=2 nc=48 bits=512 regs=32 | nc = 48 must be a multiple",
        "gemm f32 NN k=5 n=5 bias=yes | bias='yes', expected true or false",
        "conv f32 | unknown kernel kind 'conv'"})
    void badSpecsAreRejectedWithTheReason(String text, String reason) {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse(text));
        assertTrue(e.getMessage().contains(reason), "message '" + e.getMessage() + "' should contain '" + reason + "'");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 16, 64, 100, 128, 784, 2048})
    void defaultTilingFitsTheRegisterFileAndBlocksWholePanels(int n) {
        for (VectorTarget target : new VectorTarget[] {VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32), new VectorTarget(128, 16)}) {
            for (DType type : DType.values()) {
                GemmTiling t = GemmTiling.defaultsFor(type, GemmForm.NN, 300, n, target);
                assertTrue(GemmTiling.registers(t.mr(), t.nrVectors()) <= target.registers(), target + ": " + t);
                assertEquals(0, t.nc() % t.nr(type));
            }
        }
    }
}
