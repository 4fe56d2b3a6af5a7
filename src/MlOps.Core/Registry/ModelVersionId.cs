using System.Globalization;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Registry
{
    /// <summary>Formats and parses model ids of the form <c>&lt;model&gt;/&lt;env&gt;/&lt;N&gt;</c>.</summary>
    public static class ModelVersionId
    {
        public static string Format(string model, string environment, int version) =>
            model + "/" + environment + "/" + version.ToString(CultureInfo.InvariantCulture);

        public static (string Model, string Environment, int Version) Parse(string id)
        {
            var parts = (id ?? string.Empty).Split('/');
            if (parts.Length != 3 || !NameRules.IsValidModelName(parts[0]) || !NameRules.IsValidEnvironmentName(parts[1])
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw new MlOpsException(ErrorIds.InvalidModelVersionId, MlOpsErrorKind.InvalidArgument,
                    $"'{id}' is not a model id.", id, "Use <model>/<environment>/<version>, for example diabetes/test/3.");
            }

            return (parts[0], parts[1], version);
        }
    }
}
