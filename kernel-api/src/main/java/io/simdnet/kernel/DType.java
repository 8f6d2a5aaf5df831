package io.simdnet.kernel;

/**
 * The element type of tensors and kernels: float for training, double for gradient checks and references.
 * One enum for both sides: kernel specs are parameterised by it and tensors carry it.
 */
public enum DType {
    F32("f32", "float", "Float", "FloatVector", 4),
    F64("f64", "double", "Double", "DoubleVector", 8);

    private final String token;
    private final String primitive;
    private final String boxed;
    private final String vectorClass;
    private final int bytes;

    DType(String token, String primitive, String boxed, String vectorClass, int bytes) {
        this.token = token;
        this.primitive = primitive;
        this.boxed = boxed;
        this.vectorClass = vectorClass;
        this.bytes = bytes;
    }

    /** The short form used in spec strings: {@code f32}, {@code f64}. */
    public String token() {
        return token;
    }

    /** The Java primitive: {@code float}, {@code double}. */
    public String primitive() {
        return primitive;
    }

    public String boxed() {
        return boxed;
    }

    /** Simple name of the {@code jdk.incubator.vector} class for this type. */
    public String vectorClass() {
        return vectorClass;
    }

    public int bytes() {
        return bytes;
    }

    /** Lanes in one vector of {@code vectorBits} bits. */
    public int lanes(int vectorBits) {
        return vectorBits / (8 * bytes);
    }

    /** The dtype string of the safetensors header: {@code F32}, {@code F64}. */
    public String safetensorsName() {
        return name();
    }

    /** Reads {@code f32}, {@code f64}, {@code float} or {@code double}. */
    public static DType fromToken(String token) {
        for (DType t : values()) {
            if (t.token.equals(token) || t.primitive.equals(token)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown element type '" + token + "': expected f32, f64, float or double");
    }
}
