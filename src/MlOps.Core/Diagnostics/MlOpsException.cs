using System;

namespace MlOps.Diagnostics
{
    /// <summary>
    /// A failure the user can act on: a stable <see cref="ErrorId"/>, a kind, the object it is about
    /// and, where there is one, what to do next. Cmdlets turn it into an ErrorRecord unchanged.
    /// </summary>
    public class MlOpsException : Exception
    {
        public MlOpsException(string errorId, MlOpsErrorKind kind, string message, object? target = null,
            string? recommendedAction = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        /// <summary>Stable PascalCase identifier, for example <c>ModelVersionNotFound</c>.</summary>
        public string ErrorId { get; }

        public MlOpsErrorKind Kind { get; }

        /// <summary>The object the error is about (a model id, a path, a setting).</summary>
        public object? Target { get; }

        public string? RecommendedAction { get; }
    }
}
