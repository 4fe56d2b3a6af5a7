namespace MlOps.Diagnostics
{
    /// <summary>The stable error identifiers MlOps reports. Documented in about_MlOps; never renamed.</summary>
    public static class ErrorIds
    {
        public const string SettingsNotFound = "SettingsNotFound";
        public const string InvalidSettings = "InvalidSettings";
        public const string EnvironmentNotFound = "EnvironmentNotFound";
        public const string EnvironmentNotSpecified = "EnvironmentNotSpecified";
        public const string InvalidModelName = "InvalidModelName";
        public const string ModelNotFound = "ModelNotFound";
        public const string ModelVersionNotFound = "ModelVersionNotFound";
        public const string InvalidModelVersionId = "InvalidModelVersionId";
        public const string ArtifactPathNotFound = "ArtifactPathNotFound";
        public const string EmptyArtifactFolder = "EmptyArtifactFolder";
        public const string InvalidArtifactFolder = "InvalidArtifactFolder";
        public const string InvalidMetadata = "InvalidMetadata";
        public const string ContentHashMismatch = "ContentHashMismatch";
        public const string DestinationNotEmpty = "DestinationNotEmpty";
        public const string RegistryCorrupt = "RegistryCorrupt";
        public const string RegistryWriteFailed = "RegistryWriteFailed";
        public const string DestinationWriteFailed = "DestinationWriteFailed";
        public const string DeploymentWriteFailed = "DeploymentWriteFailed";
        public const string PromotionToSameEnvironment = "PromotionToSameEnvironment";
        public const string PromotionConflict = "PromotionConflict";
        public const string UnsupportedRegistry = "UnsupportedRegistry";
        public const string UnsupportedPlatform = "UnsupportedPlatform";
        public const string PythonNotFound = "PythonNotFound";
        public const string PythonPackageMissing = "PythonPackageMissing";
        public const string ProcessTimedOut = "ProcessTimedOut";
        public const string InvalidModelCode = "InvalidModelCode";
        public const string ModelTestsFailed = "ModelTestsFailed";
        public const string ServiceTestFailed = "ServiceTestFailed";
        public const string ServiceStartFailed = "ServiceStartFailed";
        public const string ServiceNotFound = "ServiceNotFound";
        public const string ServiceUnavailable = "ServiceUnavailable";
        public const string ServiceReturnedError = "ServiceReturnedError";
        public const string ServiceNotOffered = "ServiceNotOffered";
        public const string InvalidServiceInput = "InvalidServiceInput";
        public const string DeploymentNotFound = "DeploymentNotFound";
        public const string FunctionDeployFailed = "FunctionDeployFailed";
        public const string FunctionDeployTimedOut = "FunctionDeployTimedOut";
        public const string ServiceCallFailed = "ServiceCallFailed";
        public const string SchedulesNotSupported = "SchedulesNotSupported";
        public const string InvalidSchedule = "InvalidSchedule";
        public const string ScheduleNotFound = "ScheduleNotFound";
        public const string ProjectFileExists = "ProjectFileExists";
        public const string ProjectWriteFailed = "ProjectWriteFailed";
        public const string ModelSecretMissing = "ModelSecretMissing";
        public const string CdfSessionRejected = "CdfSessionRejected";
        public const string AkerbpSettingsNotFound = "AkerbpSettingsNotFound";
        public const string InvalidAkerbpSettings = "InvalidAkerbpSettings";
        public const string ModelAlreadyExists = "ModelAlreadyExists";
        public const string SettingsBusy = "SettingsBusy";
        public const string ServiceBusy = "ServiceBusy";
        public const string ConfirmationRequired = "ConfirmationRequired";
    }
}
