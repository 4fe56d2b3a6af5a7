using System;
using MlOps.Diagnostics;

namespace MlOps.Services
{
    /// <summary>The two services a model can offer.</summary>
    public enum ServiceKind
    {
        Prediction,
        Training,
    }

    public static class ServiceKinds
    {
        /// <summary>The lower-case name used in settings, service names and answers.</summary>
        public static string Name(this ServiceKind kind) => kind == ServiceKind.Prediction ? "prediction" : "training";

        public static ServiceKind Parse(string name) =>
            string.Equals(name, "prediction", StringComparison.OrdinalIgnoreCase) ? ServiceKind.Prediction
            : string.Equals(name, "training", StringComparison.OrdinalIgnoreCase) ? ServiceKind.Training
            : throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument, $"'{name}' is not a service.", name,
                "Use prediction or training.");

        /// <summary>The name services are known by: <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;</c>, as in akerbp.mlops.</summary>
        public static string ServiceName(string model, ServiceKind kind, string environment) => $"{model}-{kind.Name()}-{environment}";
    }
}
