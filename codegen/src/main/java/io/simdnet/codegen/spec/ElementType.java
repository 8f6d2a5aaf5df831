package io.simdnet.codegen.spec;

/** The element type a kernel computes in; the generator is parameterised by it. */
public enum ElementType {
    FLOAT("f32", "float", "Float", "FloatVector", 4),
    DOUBLE("f64", "double", "Double", "DoubleVector", 8);

    private final String token;
    private final String primitive;
    private final String boxed;
    private final String vectorClass;
    private final int bytes;

    ElementType(String token, String primitive, String boxed, String vectorClass, int bytes) {
        this.token = token;
        this.primitive = primitive;
        this.boxed = boxed;
        this.vectorClass = vectorClass;
        this.bytes = bytes;
    }

    /** The short form used in spec strings and class names: {@code f32}, {@code f64}. */
    public String token() {
        return token;
    }

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

    public static ElementType fromToken(String token) {
        for (ElementType t : values()) {
            if (t.token.equals(token) || t.primitive.equals(token)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown element type '" + token + "': expected f32, f64, float or double");
    }
}
