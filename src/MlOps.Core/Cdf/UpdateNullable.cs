using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>A field update: set a value, or clear it (as CogniteSdk's <c>UpdateNullable&lt;T&gt;</c>).</summary>
    public sealed class UpdateNullable<T>
    {
        private UpdateNullable(T? value, bool setNull)
        {
            Value = value;
            IsSetNull = setNull;
        }

        /// <summary>The new value (when not clearing).</summary>
        public T? Value { get; }

        /// <summary>True to clear the field.</summary>
        public bool IsSetNull { get; }

        /// <summary>Sets the field to <paramref name="value"/>.</summary>
        public static UpdateNullable<T> Set(T value) => new UpdateNullable<T>(value, false);

        /// <summary>Clears the field.</summary>
        public static UpdateNullable<T> SetNull() => new UpdateNullable<T>(default, true);

        internal JsonObject ToJson() => IsSetNull
            ? new JsonObject { ["setNull"] = true }
            : new JsonObject { ["set"] = JsonSerializer.SerializeToNode(Value, CdfJson.Options) };
    }
}
