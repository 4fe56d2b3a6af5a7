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

        /// <summary>
        /// The parts of a name <see cref="ServiceName"/> made (model and environment names hold no hyphen); false for any
        /// other name. The one place a service name is taken apart.
        /// </summary>
        public static bool TryParseServiceName(string name, out string model, out ServiceKind kind, out string environment)
        {
            model = environment = string.Empty;
            kind = ServiceKind.Prediction;
            var parts = name.Split('-');
            if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0)
            {
                return false;
            }

            if (parts[1] == ServiceKind.Prediction.Name())
            {
                kind = ServiceKind.Prediction;
            }
            else if (parts[1] == ServiceKind.Training.Name())
            {
                kind = ServiceKind.Training;
            }
            else
            {
                return false;
            }

            model = parts[0];
            environment = parts[2];
            return true;
        }
    }
}
