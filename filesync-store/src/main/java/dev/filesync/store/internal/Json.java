package dev.filesync.store.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.filesync.store.ArgField;
import dev.filesync.store.ArgsCodec;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** The JSON conventions of LiveStore's JavaScript encodings, in one Jackson mapper. */
public final class Json {
  /** {@code Date.prototype.toISOString()}: UTC, always three fraction digits. */
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** The shared mapper; configured once, thread-safe. */
  public static final ObjectMapper MAPPER = newMapper();

  private Json() {}

  /** An instant as JavaScript's {@code toISOString()} writes it (milliseconds, UTC). */
  public static String isoMillis(Instant instant) {
    return ISO_MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Parses JSON text, wrapping failures in {@link IllegalArgumentException}. */
  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes a value as JSON text. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** Whether two JSON texts hold the same value, whatever the key order or spacing. */
  public static boolean sameJson(String a, String b) {
    return a.equals(b) || parse(a).equals(parse(b));
  }

  /** A codec for a record type with the conventions above. */
  public static <R extends Record> ArgsCodec<R> recordCodec(Class<R> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    return new ArgsCodec<>() {
      @Override
      public String encode(R args) {
        return write(args);
      }

      @Override
      public R decode(String json) {
        try {
          JsonNode node = MAPPER.readTree(json);
          if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("event args must be a JSON object: " + json);
          }
          return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              "cannot decode "
                  + type.getSimpleName()
                  + " from "
                  + json
                  + ": "
                  + e.getOriginalMessage(),
              e);
        }
      }

      @Override
      public String toString() {
        return "ArgsCodec.forRecord(" + type.getName() + ")";
      }
    };
  }

  private static ObjectMapper newMapper() {
    SimpleModule m = new SimpleModule("filesync-js-encodings");
    m.addSerializer(Instant.class, new InstantSerializer());
    m.addDeserializer(Instant.class, new InstantDeserializer());
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<ArgField<?>> argField = (Class) ArgField.class;
    m.addSerializer(argField, new ArgFieldSerializer());
    m.addDeserializer(argField, new ArgFieldDeserializer(null));
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(m);
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    mapper
        .configOverride(ArgField.class)
        .setIncludeAsProperty(
            JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.ALWAYS));
    return mapper;
  }

  private static final class InstantSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(isoMillis(value));
    }
  }

  private static final class InstantDeserializer extends StdDeserializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantDeserializer() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.hasToken(com.fasterxml.jackson.core.JsonToken.VALUE_STRING)) {
        return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
      }
      String text = p.getText();
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        return (Instant)
            ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
      }
    }
  }

  private static final class ArgFieldSerializer extends StdSerializer<ArgField<?>> {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ArgFieldSerializer() {
      super((Class) ArgField.class);
    }

    @Override
    public boolean isEmpty(SerializerProvider provider, ArgField<?> value) {
      return value == null || !value.isPresent();
    }

    @Override
    public void serialize(ArgField<?> value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      Object v = value.isPresent() ? value.value() : null;
      if (v == null) {
        gen.writeNull();
      } else {
        provider.defaultSerializeValue(v, gen);
      }
    }
  }

  private static final class ArgFieldDeserializer extends StdDeserializer<ArgField<?>>
      implements ContextualDeserializer {
    private static final long serialVersionUID = 1L;
    private final transient JsonDeserializer<?> content;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ArgFieldDeserializer(JsonDeserializer<?> content) {
      super((Class) ArgField.class);
      this.content = content;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
        throws com.fasterxml.jackson.databind.JsonMappingException {
      JavaType type = property != null ? property.getType() : ctxt.getContextualType();
      JavaType inner =
          type == null || type.containedTypeCount() == 0
              ? ctxt.constructType(Object.class)
              : type.containedType(0);
      return new ArgFieldDeserializer(ctxt.findContextualValueDeserializer(inner, property));
    }

    @Override
    public ArgField<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return ArgField.of(content.deserialize(p, ctxt));
    }

    @Override
    public ArgField<?> getNullValue(DeserializationContext ctxt) {
      return ArgField.of(null);
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return ArgField.absent();
    }
  }
}
