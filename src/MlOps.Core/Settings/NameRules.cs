using System.Text.RegularExpressions;
using MlOps.Diagnostics;

namespace MlOps.Settings
{
    /// <summary>
    /// Model and environment names become parts of CDF external ids (<c>model/env/N</c>) and function names
    /// (<c>model-service-env</c>), so they may not contain the separators '/' or '-'.
    /// </summary>
    public static class NameRules
    {
        private static readonly Regex ModelName = new Regex("^[A-Za-z0-9_]{1,64}$", RegexOptions.CultureInvariant);
        private static readonly Regex EnvironmentName = new Regex("^[a-z][a-z0-9]{0,15}$", RegexOptions.CultureInvariant);

        public const string ModelNameExpectation = "1 to 64 letters, digits or underscores (no '-', '/', spaces)";
        public const string EnvironmentNameExpectation = "1 to 16 lower-case letters or digits, starting with a letter";

        public static bool IsValidModelName(string? name) => name != null && ModelName.IsMatch(name);

        public static bool IsValidEnvironmentName(string? name) => name != null && EnvironmentName.IsMatch(name);

        public static void ValidateModelName(string name)
        {
            if (ModelNameError(name) is MlOpsException error)
            {
                throw error;
            }
        }

        /// <summary>The <c>InvalidModelName</c> error for <paramref name="name"/> (a long one shortened in the message), or null when it is valid.</summary>
        public static MlOpsException? ModelNameError(string name) =>
            IsValidModelName(name) ? null : new MlOpsException(ErrorIds.InvalidModelName, MlOpsErrorKind.InvalidArgument,
                $"'{(name.Length <= 80 ? name : name.Substring(0, 77) + "...")}' is not a valid model name: use {ModelNameExpectation}.", name);
    }
}
