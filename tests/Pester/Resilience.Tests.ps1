# The resilience suite's PowerShell half (tagged Resilience; build.ps1 -Task Test counts it with tests/MlOps.Resilience.Tests):
# - bad input through the built module: a table of malformed settings files, model folders, artifact paths, metadata,
#   version numbers and pipeline objects; each must fail with its stable ErrorId and change no file of the project
#   (registries included; caches and build output aside);
# - secrets: a distinctive fake secret in environment variables, a run through the cmdlets against the CDF emulator and a
#   Local deployment, then a search of every output stream, the transcript, every file of the project (packages and
#   archives opened) and the emulator's request log.

BeforeDiscovery {
    # Each case: Name, Category, UnixOnly (run on Linux and macOS only), ErrorId (before the comma of FullyQualifiedErrorId), an optional Settings edit
    # (param($s): the parsed settings as a hashtable), Text (the settings file's whole text), Setup (param($Project)),
    # Env (variables set for the case), and Command (param($Project, $Artifact, $Version, $Foreign): the project folder, a
    # trained artifact folder, diabetes/test/1 as read before Setup, and a version read from another project).
    $publish = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test }
    $deploy = { param($Project, $Artifact) Deploy-MlPredictionService diabetes -Environment test -TestOnly -WarningAction SilentlyContinue }
    $badInput = @(
        # Settings files
        @{ Name = 'settings: not JSON'; Category = 'settings'; ErrorId = 'InvalidSettings'; Text = '{ "models": [ '; Command = $publish }
        @{ Name = 'settings: an empty file'; Category = 'settings'; ErrorId = 'InvalidSettings'; Text = ''; Command = $publish }
        @{ Name = 'settings: a JSON array'; Category = 'settings'; ErrorId = 'InvalidSettings'; Text = '[ 1, 2 ]'; Command = $publish }
        @{ Name = 'settings: a registry path that is a file'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry.path = 'mlops.settings.json' }; Command = { Get-MlModelVersion diabetes -Environment test } }
        @{ Name = 'settings: an unknown key'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.colour = 'red' }; Command = $publish }
        @{ Name = 'settings: models is an object'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models = @{ name = 'diabetes' } }; Command = $publish }
        @{ Name = 'settings: no models'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models = @() }; Command = $publish }
        @{ Name = 'settings: a model name with a hyphen'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[1].name = 'bad-name' }; Command = $publish }
        @{ Name = 'settings: the same model twice'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[1].name = 'DIABETES' }; Command = $publish }
        @{ Name = 'settings: a model without codeFolder'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[0].Remove('codeFolder') }; Command = $publish }
        @{ Name = 'settings: a codeFolder that does not exist'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[0].codeFolder = 'models/nowhere' }; Command = $publish }
        @{ Name = 'settings: an unknown service'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[0].services = @('batch') }; Command = $publish }
        @{ Name = 'settings: a testData file that does not exist'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.models[0].testData = 'data/none.json' }; Command = $publish }
        @{ Name = 'settings: an unknown registry type'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry.type = 'ftp' }; Command = $publish }
        @{ Name = 'settings: an unknown platform type'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.platform.type = 'k8s' }; Command = $publish }
        @{ Name = 'settings: an environment name with capitals and !'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments['Prod!'] = @{ registry = @{ type = 'local' } } }; Command = $publish }
        @{ Name = 'settings: protected is "yes"'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.protected = 'yes' }; Command = $publish }
        @{ Name = 'settings: registry is a string'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry = 'local' }; Command = $publish }
        @{ Name = 'settings: a cdf registry without project or credentials'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry = @{ type = 'cdf'; baseUrl = 'https://api.cognitedata.com' } }; Command = $publish }
        @{ Name = 'settings: a cdf baseUrl that is not http(s)'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry = @{ type = 'cdf'; project = 'p'; baseUrl = 'ftp://x'; clientId = 'c'; tenantId = 't' } }; Command = $publish }
        @{ Name = 'settings: a relative cdf directory'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry = @{ type = 'cdf'; project = 'p'; baseUrl = 'https://x'; clientId = 'c'; tenantId = 't'; directory = 'mlops' } }; Command = $publish }
        @{ Name = 'settings: a literal clientSecret'; Category = 'settings'; ErrorId = 'InvalidSettings'; Settings = { param($s) $s.environments.test.registry = @{ type = 'cdf'; project = 'p'; baseUrl = 'https://x'; clientId = 'c'; tenantId = 't'; clientSecret = 'hunter2' } }; Command = $publish }
        @{ Name = 'settings: an MLOPS__ override with an unknown key'; Category = 'settings'; ErrorId = 'InvalidSettings'; Env = @{ MLOPS__environments__test__registry__colour = 'red' }; Command = $publish }
        @{ Name = 'settings: an MLOPS__ override with a bad boolean'; Category = 'settings'; ErrorId = 'InvalidSettings'; Env = @{ MLOPS__environments__test__protected = 'maybe' }; Command = $publish }
        @{ Name = 'settings: -SettingsPath to a folder without one'; Category = 'settings'; ErrorId = 'SettingsNotFound'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -SettingsPath (Join-Path $Project 'models') } }
        @{ Name = 'settings: -SettingsPath to a missing file'; Category = 'settings'; ErrorId = 'SettingsNotFound'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -SettingsPath (Join-Path $Project 'none.json') } }
        @{ Name = 'settings: $env:MLOPS_SETTINGS to a missing file'; Category = 'settings'; ErrorId = 'SettingsNotFound'; Env = @{ MLOPS_SETTINGS = '/nonexistent/mlops.settings.json' }; Command = $publish }
        # Model folders
        @{ Name = 'model folder: model.py missing'; Category = 'model folder'; ErrorId = 'InvalidSettings'; Setup = { param($Project) Remove-Item (Join-Path $Project 'models/diabetes/model.py') }; Command = $deploy }
        @{ Name = 'model folder: test_model.py missing'; Category = 'model folder'; ErrorId = 'InvalidSettings'; Setup = { param($Project) Remove-Item (Join-Path $Project 'models/diabetes/test_model.py') }; Command = $deploy }
        @{ Name = 'model folder: requirements.model missing'; Category = 'model folder'; ErrorId = 'InvalidSettings'; Setup = { param($Project) Remove-Item (Join-Path $Project 'models/diabetes/requirements.model') }; Command = $deploy }
        @{ Name = 'model folder: an unpinned requirement'; Category = 'model folder'; ErrorId = 'InvalidModelCode'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/requirements.model') 'scikit-learn' }; Command = $deploy }
        @{ Name = 'model folder: a requirement with >='; Category = 'model folder'; ErrorId = 'InvalidModelCode'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/requirements.model') "numpy==1.24.2`nscikit-learn>=1.0" }; Command = $deploy }
        @{ Name = 'model folder: a requirement that is not installed'; Category = 'model folder'; ErrorId = 'PythonPackageMissing'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/requirements.model') 'no-such-package-mlops==1.0' }; Command = $deploy }
        @{ Name = 'model folder: a Python syntax error in model.py'; Category = 'model folder'; ErrorId = 'ModelTestsFailed'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/model.py') 'def predict(data, init_object, secrets) return data' }; Command = $deploy }
        @{ Name = 'model folder: a Python syntax error in test_model.py'; Category = 'model folder'; ErrorId = 'ModelTestsFailed'; Setup = { param($Project) Add-Content (Join-Path $Project 'models/diabetes/test_model.py') 'def broken(:' }; Command = $deploy }
        @{ Name = 'model folder: model.py without predict()'; Category = 'model folder'; ErrorId = 'ModelTestsFailed'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/model.py') 'def initialization(artifact_folder, secrets): return None' }; Command = $deploy }
        @{ Name = 'model folder: an import that fails'; Category = 'model folder'; ErrorId = 'ModelTestsFailed'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/model.py') "import no_such_module_mlops`ndef predict(data, init_object, secrets): return data" }; Command = $deploy }
        @{ Name = 'model folder: a failing model test'; Category = 'model folder'; ErrorId = 'ModelTestsFailed'; Setup = { param($Project) Add-Content (Join-Path $Project 'models/diabetes/test_model.py') "def test_fails():`n    assert False" }; Command = $deploy }
        @{ Name = 'model folder: no ServiceTest class'; Category = 'model folder'; ErrorId = 'ServiceTestFailed'; Setup = { param($Project) Set-Content (Join-Path $Project 'models/diabetes/test_model.py') 'def test_ok(): pass' }; Command = $deploy }
        @{ Name = 'model folder: a code folder that is not a Python package name'; Category = 'model folder'; ErrorId = 'InvalidModelCode'; Setup = { param($Project) Copy-Item (Join-Path $Project 'models/diabetes') (Join-Path $Project 'models/my-model') -Recurse }; Settings = { param($s) $s.models[0].codeFolder = 'models/my-model' }; Command = $deploy }
        @{ Name = 'model folder: a python that does not exist'; Category = 'model folder'; ErrorId = 'PythonNotFound'; Env = @{ MLOPS_PYTHON = '/nonexistent/python3' }; Command = $deploy }
        # Artifact paths
        @{ Name = 'artifact path: a folder that does not exist'; Category = 'artifact path'; ErrorId = 'ArtifactPathNotFound'; Command = { param($Project) Publish-MlModelArtifact diabetes (Join-Path $Project 'missing') -Environment test } }
        @{ Name = 'artifact path: an empty folder'; Category = 'artifact path'; ErrorId = 'EmptyArtifactFolder'; Setup = { param($Project) New-Item -ItemType Directory (Join-Path $Project 'empty') | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes (Join-Path $Project 'empty') -Environment test } }
        @{ Name = 'artifact path: only empty subfolders'; Category = 'artifact path'; ErrorId = 'EmptyArtifactFolder'; Setup = { param($Project) New-Item -ItemType Directory (Join-Path $Project 'hollow/a/b') -Force | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes (Join-Path $Project 'hollow') -Environment test } }
        @{ Name = 'artifact path: a file, not a folder'; Category = 'artifact path'; ErrorId = 'InvalidArtifactFolder'; Command = { param($Project) Publish-MlModelArtifact diabetes (Join-Path $Project 'mlops.settings.json') -Environment test } }
        @{ Name = 'artifact path: the project folder, which holds the registry'; Category = 'artifact path'; ErrorId = 'InvalidArtifactFolder'; Command = { param($Project) Publish-MlModelArtifact diabetes $Project -Environment test } }
        @{ Name = 'artifact path: a stored version, inside the registry'; Category = 'artifact path'; ErrorId = 'InvalidArtifactFolder'; Command = { param($Project, $Artifact, $Version) Publish-MlModelArtifact diabetes $Version.Location -Environment prod -Confirm:$false } }
        # Entries an artifact folder must not hold; the folder is a copy of the trained one beside the project (<project>-art),
        # so that the project's snapshot never opens a FIFO or follows a link.
        @{ Name = 'artifact path: a symbolic link that loops'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; New-Item -ItemType SymbolicLink -Path "$Project-art/loop1" -Target 'loop2' | Out-Null; New-Item -ItemType SymbolicLink -Path "$Project-art/loop2" -Target 'loop1' | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a dangling symbolic link'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; New-Item -ItemType SymbolicLink -Path "$Project-art/weights.bin" -Target 'gone/weights.bin' | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a symbolic link to a folder outside it'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; New-Item -ItemType SymbolicLink -Path "$Project-art/data" -Target (Join-Path $Project 'models') | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a symbolic link to a folder inside it'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; New-Item -ItemType Directory "$Project-art/sub" -Force | Out-Null; New-Item -ItemType SymbolicLink -Path "$Project-art/latest" -Target "$Project-art/sub" | Out-Null }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a FIFO'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; mkfifo "$Project-art/stream.pipe"; if ($LASTEXITCODE) { throw 'mkfifo failed' } }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a Unix socket'; Category = 'artifact path'; UnixOnly = $true; ErrorId = 'InvalidArtifactFolder'; Setup = { param($Project) Copy-Item $artifact "$Project-art" -Recurse; python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$Project-art/server.sock"; if ($LASTEXITCODE) { throw 'bind failed' } }; Command = { param($Project) Publish-MlModelArtifact diabetes "$Project-art" -Environment test } }
        @{ Name = 'artifact path: a new project under a file'; Category = 'artifact path'; ErrorId = 'ProjectWriteFailed'; Command = { param($Project) New-MlProject (Join-Path $Project 'mlops.settings.json/new') -NoTraining } }
        @{ Name = 'artifact path: an empty string'; Category = 'artifact path'; ErrorId = 'ParameterArgumentValidationError'; Command = { Publish-MlModelArtifact diabetes '' -Environment test } }
        @{ Name = 'artifact path: a wildcard that matches nothing'; Category = 'artifact path'; ErrorId = 'ArtifactPathNotFound'; Command = { Publish-MlModelArtifact diabetes './nothing*[' -Environment test } }
        @{ Name = 'artifact path: a model the settings do not define'; Category = 'artifact path'; ErrorId = 'ModelNotFound'; Command = { param($Project, $Artifact) Publish-MlModelArtifact ghost $Artifact -Environment test } }
        @{ Name = 'artifact path: a model name with a space'; Category = 'artifact path'; ErrorId = 'InvalidModelName'; Command = { param($Project, $Artifact) Publish-MlModelArtifact 'bad name' $Artifact -Environment test } }
        @{ Name = 'artifact path: an environment the settings do not define'; Category = 'artifact path'; ErrorId = 'EnvironmentNotFound'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment staging } }
        @{ Name = 'artifact path: no environment at all'; Category = 'artifact path'; ErrorId = 'EnvironmentNotSpecified'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact } }
        @{ Name = 'artifact path: save into a folder that is not empty'; Category = 'artifact path'; ErrorId = 'DestinationNotEmpty'; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'models') } }
        @{ Name = 'artifact path: save onto a file'; Category = 'artifact path'; ErrorId = 'DestinationNotEmpty'; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'mlops.settings.json') } }
        # Metadata
        @{ Name = 'metadata: a value over 10,240 bytes'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ notes = 'x' * 10241 } } }
        @{ Name = 'metadata: 257 keys'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) $m = @{}; 1..257 | ForEach-Object { $m["k$_"] = 'v' }; Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata $m } }
        @{ Name = 'metadata: a key over 128 bytes'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ ('k' * 129) = 'v' } } }
        @{ Name = 'metadata: over 10,240 bytes in all'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ a = 'x' * 6000; b = 'y' * 6000 } } }
        @{ Name = 'metadata: the reserved key version'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ version = '7' } } }
        @{ Name = 'metadata: a reserved mlops_ key'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ mlops_state = 'done' } } }
        @{ Name = 'metadata: an empty key'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ '' = 'v' } } }
        @{ Name = 'metadata: the same key in two cases'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) $m = [hashtable]::new([StringComparer]::Ordinal); $m['r2'] = '1'; $m['R2'] = '2'; Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata $m } }
        @{ Name = 'metadata: a nested hashtable'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ scores = @{ r2 = 0.9 } } } }
        @{ Name = 'metadata: an array'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ tags = 'a', 'b' } } }
        @{ Name = 'metadata: a script block'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ r2 = { 0.9 } } } }
        @{ Name = 'metadata: an object'; Category = 'metadata'; ErrorId = 'InvalidMetadata'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata @{ run = [pscustomobject]@{ id = 1 } } } }
        @{ Name = 'metadata: a string instead of a hashtable'; Category = 'metadata'; ErrorId = 'CannotConvertArgumentNoMessage'; Command = { param($Project, $Artifact) Publish-MlModelArtifact diabetes $Artifact -Environment test -Metadata 'r2=0.9' } }
        # Version numbers
        @{ Name = 'version: 0'; Category = 'version'; ErrorId = 'ParameterArgumentValidationError'; Command = { Get-MlModelVersion diabetes -Environment test -Version 0 } }
        @{ Name = 'version: -1'; Category = 'version'; ErrorId = 'ParameterArgumentValidationError'; Command = { Get-MlModelVersion diabetes -Environment test -Version -1 } }
        @{ Name = 'version: three'; Category = 'version'; ErrorId = 'CannotConvertArgumentNoMessage'; Command = { Get-MlModelVersion diabetes -Environment test -Version three } }
        @{ Name = 'version: 2147483648'; Category = 'version'; ErrorId = 'CannotConvertArgumentNoMessage'; Command = { Get-MlModelVersion diabetes -Environment test -Version 2147483648 } }
        @{ Name = 'version: 1.5 (never rounded to 2)'; Category = 'version'; ErrorId = 'ParameterArgumentTransformationError'; Command = { Get-MlModelVersion diabetes -Environment test -Version 1.5 } }
        @{ Name = "version: '2.5' to Save-MlModelArtifact"; Category = 'version'; ErrorId = 'ParameterArgumentTransformationError'; Command = { param($Project) Save-MlModelArtifact diabetes -Environment test -Version '2.5' -Path (Join-Path $Project 'saved') } }
        @{ Name = 'version: 1.5 to Deploy-MlPredictionService'; Category = 'version'; ErrorId = 'ParameterArgumentTransformationError'; Command = { Deploy-MlPredictionService diabetes -Environment test -Version 1.5 -TestOnly } }
        @{ Name = 'history entry: 1.5 to Restore-MlService'; Category = 'version'; ErrorId = 'ParameterArgumentTransformationError'; Command = { Restore-MlService diabetes -Environment test -Sequence 1.5 -Confirm:$false } }
        @{ Name = 'version: one that does not exist'; Category = 'version'; ErrorId = 'ModelVersionNotFound'; Command = { Get-MlModelVersion diabetes -Environment test -Version 99 } }
        @{ Name = 'commit: a branch name instead of a commit id'; Category = 'version'; ErrorId = 'ParameterArgumentValidationError'; Command = { Get-MlModelVersion diabetes -Environment test -Commit main } }
        @{ Name = 'commit: fewer than 4 digits'; Category = 'version'; ErrorId = 'ParameterArgumentValidationError'; Command = { Get-MlModelVersion -Commit abc } }
        @{ Name = 'commit: no version made from it'; Category = 'version'; ErrorId = 'ModelNotFound'; Command = { Get-MlModelVersion diabetes -Environment test -Commit 0123abcd } }
        @{ Name = 'version: -Latest of a model with none'; Category = 'version'; ErrorId = 'ModelNotFound'; Command = { Get-MlModelVersion churn -Environment test -Latest } }
        @{ Name = 'service input: -Data and -Json together'; Category = 'service input'; ErrorId = 'InvalidServiceInput'; Command = { Invoke-MlPrediction diabetes -Environment test -Data @{ age = @(0.03) } -Json '{}' } }
        @{ Name = 'service input: a live .NET object (Get-Process)'; Category = 'service input'; ErrorId = 'InvalidServiceInput'; Command = { Invoke-MlPrediction diabetes -Environment test -Data (Get-Process -Id $PID) } }
        @{ Name = 'service input: neither -Data nor -Json'; Category = 'service input'; ErrorId = 'InvalidServiceInput'; Command = { Invoke-MlPrediction diabetes -Environment test } }
        @{ Name = 'model name: 300 characters'; Category = 'version'; ErrorId = 'InvalidModelName'; Command = { Get-MlModelVersion ('m' * 300) -Environment test } }
        @{ Name = 'model name: not ASCII'; Category = 'version'; ErrorId = 'InvalidModelName'; Command = { Get-MlModelVersion "mod$([char]0xE8)le" -Environment test } }
        @{ Name = 'model name: valid but not in the settings'; Category = 'version'; ErrorId = 'ModelNotFound'; Command = { Get-MlModelVersion ghost -Environment test } }
        @{ Name = 'version: deploy one that does not exist'; Category = 'version'; ErrorId = 'ModelVersionNotFound'; Command = { Deploy-MlPredictionService diabetes -Environment test -Version 99 -TestOnly } }
        @{ Name = 'version: save one that does not exist'; Category = 'version'; ErrorId = 'ModelVersionNotFound'; Command = { param($Project) Get-MlModelVersion diabetes -Environment test -Version 42 | Save-MlModelArtifact -Path (Join-Path $Project 'saved') } }
        # Pipeline objects
        @{ Name = 'pipeline: a string'; Category = 'pipeline'; ErrorId = 'InputObjectNotBound'; Command = { 'diabetes/test/1' | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: a hashtable'; Category = 'pipeline'; ErrorId = 'InputObjectNotBound'; Command = { @{ ModelId = 'diabetes/test/1' } | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: a look-alike object'; Category = 'pipeline'; ErrorId = 'InputObjectNotBound'; Command = { [pscustomobject]@{ ModelId = 'diabetes/test/1'; Name = 'diabetes'; Environment = 'test'; Version = 1 } | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: $null'; Category = 'pipeline'; ErrorId = 'ParameterArgumentValidationErrorNullNotAllowed'; Command = { $null | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: the settings object'; Category = 'pipeline'; ErrorId = 'InputObjectNotBound'; Command = { Get-MlSetting | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: a deserialized version (Import-Clixml)'; Category = 'pipeline'; ErrorId = 'InputObjectNotBound'; Command = { param($Project, $Artifact, $Version) $file = Join-Path ([IO.Path]::GetTempPath()) "v-$([guid]::NewGuid()).xml"; $Version | Export-Clixml $file; try { Import-Clixml $file | Publish-MlModelArtifact -Environment prod -Confirm:$false } finally { Remove-Item $file } } }
        @{ Name = 'pipeline: a version promoted into its own environment'; Category = 'pipeline'; ErrorId = 'PromotionToSameEnvironment'; Command = { param($Project, $Artifact, $Version) $Version | Publish-MlModelArtifact -Environment test } }
        @{ Name = 'pipeline: a version from another project'; Category = 'pipeline'; ErrorId = 'ModelVersionNotFound'; Command = { param($Project, $Artifact, $Version, $Foreign) $Foreign | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        # File systems that fail: a full disk and a read-only mount (tmpfs mounted inside the project, so the snapshot shows any
        # half-written leftover) and paths under /proc. Each maps to the operation's ErrorId with the path; nothing is left.
        @{ Name = 'file system: publish into a registry on a full disk'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -Full }; Settings = { param($s) $s.environments.test.registry.path = 'disk/registry' }; Command = $publish }
        @{ Name = 'file system: publish into a registry on a read-only mount'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -ReadOnly }; Settings = { param($s) $s.environments.test.registry.path = 'disk/registry' }; Command = $publish }
        @{ Name = 'file system: publish into a registry under /proc'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Settings = { param($s) $s.environments.test.registry.path = '/proc/mlops-registry' }; Command = $publish }
        @{ Name = 'file system: promote into a registry on a full disk'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -Full }; Settings = { param($s) $s.environments.prod.registry.path = 'disk/registry' }; Command = { param($Project, $Artifact, $Version) $Version | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'file system: promote into a registry on a read-only mount'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -ReadOnly }; Settings = { param($s) $s.environments.prod.registry.path = 'disk/registry' }; Command = { param($Project, $Artifact, $Version) $Version | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'file system: save onto a full disk'; Category = 'file system'; ErrorId = 'DestinationWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -Full }; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'disk/saved') } }
        @{ Name = 'file system: save onto a read-only mount'; Category = 'file system'; ErrorId = 'DestinationWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -ReadOnly }; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'disk/saved') } }
        @{ Name = 'file system: save under /proc'; Category = 'file system'; ErrorId = 'DestinationWriteFailed'; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path '/proc/mlops-saved' } }
        @{ Name = 'file system: a new project on a full disk'; Category = 'file system'; ErrorId = 'ProjectWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -Full }; Command = { param($Project) New-MlProject (Join-Path $Project 'disk/new') -NoTraining } }
        @{ Name = 'file system: a new project on a read-only mount'; Category = 'file system'; ErrorId = 'ProjectWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project 'disk') -ReadOnly }; Command = { param($Project) New-MlProject (Join-Path $Project 'disk/new') -NoTraining } }
        @{ Name = 'file system: a new project under /proc'; Category = 'file system'; ErrorId = 'ProjectWriteFailed'; Command = { New-MlProject '/proc/mlops-project' -NoTraining } }
        @{ Name = 'file system: add a model to a project whose .mlops folder is read-only'; Category = 'file system'; ErrorId = 'ProjectWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project '.mlops') -ReadOnly }; Command = { Add-MlModel churn2 } }
        @{ Name = 'file system: deploy with the packages folder on a read-only mount'; Category = 'file system'; ErrorId = 'DeploymentWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project '.mlops/packages') -ReadOnly }; Command = $deploy }
        @{ Name = 'file system: deploy with the packages folder on a full disk'; Category = 'file system'; ErrorId = 'DeploymentWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project '.mlops/packages') -Full }; Command = $deploy }
        @{ Name = 'file system: deploy to Local with the services folder under /proc'; Category = 'file system'; ErrorId = 'DeploymentWriteFailed'; Settings = { param($s) $s.environments.test.platform.path = '/proc/mlops-services' }; Command = { Deploy-MlPredictionService diabetes -Environment test -WarningAction SilentlyContinue } }
        @{ Name = 'file system: promote into a registry under /proc'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Settings = { param($s) $s.environments.prod.registry.path = '/proc/mlops-registry' }; Command = { param($Project, $Artifact, $Version) $Version | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'file system: a registry path below a file'; Category = 'file system'; ErrorId = 'RegistryWriteFailed'; Settings = { param($s) $s.environments.test.registry.path = 'mlops.settings.json/registry' }; Command = $publish }
        @{ Name = 'file system: save where a parent of the destination is a file'; Category = 'file system'; ErrorId = 'DestinationWriteFailed'; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'mlops.settings.json/saved') } }
        @{ Name = 'file system: deploy to Local with the services folder below a file'; Category = 'file system'; ErrorId = 'DeploymentWriteFailed'; Settings = { param($s) $s.environments.test.platform.path = 'mlops.settings.json/services' }; Command = { Deploy-MlPredictionService diabetes -Environment test -WarningAction SilentlyContinue } }
        @{ Name = 'file system: deploy to Local with the services folder on a read-only mount'; Category = 'file system'; ErrorId = 'DeploymentWriteFailed'; Setup = { param($Project) Mount-TestDisk (Join-Path $Project '.mlops/services') -ReadOnly }; Command = { Deploy-MlPredictionService diabetes -Environment test -WarningAction SilentlyContinue } }
        # Damaged registries (the manifest is the version's record; MlOps never writes it after the publish)
        @{ Name = 'registry: a version whose manifest is not JSON'; Category = 'registry'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $m = Get-Item (Join-Path (Get-MlModelVersion diabetes -Environment test -Version 1).Location 'manifest.json'); $m.IsReadOnly = $false; Set-Content $m.FullName '{ "format": 1, ' }; Command = { Get-MlModelVersion diabetes -Environment test } }
        @{ Name = 'registry: a version whose manifest is missing'; Category = 'registry'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $m = Get-Item (Join-Path (Get-MlModelVersion diabetes -Environment test -Version 1).Location 'manifest.json'); $m.IsReadOnly = $false; Remove-Item $m.FullName }; Command = { Get-MlModelVersion diabetes -Environment test } }
        @{ Name = 'registry: a manifest that is an empty object'; Category = 'registry'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $m = Get-Item (Join-Path (Get-MlModelVersion diabetes -Environment test -Version 1).Location 'manifest.json'); $m.IsReadOnly = $false; Set-Content $m.FullName '{}' }; Command = { Get-MlModelVersion diabetes -Environment test -Version 1 } }
        @{ Name = 'registry: deploy a latest version whose manifest is damaged'; Category = 'registry'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $m = Get-Item (Join-Path (Get-MlModelVersion diabetes -Environment test -Version 1).Location 'manifest.json'); $m.IsReadOnly = $false; Set-Content $m.FullName 'null' }; Command = $deploy }
        @{ Name = 'pipeline: a version whose files were removed'; Category = 'pipeline'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $v = Get-MlModelVersion diabetes -Environment test -Version 1; Get-ChildItem $v.Location -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }; Remove-Item $v.Location -Recurse -Force }; Command = { param($Project, $Artifact, $Version) $Version | Publish-MlModelArtifact -Environment prod -Confirm:$false } }
        @{ Name = 'pipeline: a version missing one stored file'; Category = 'pipeline'; ErrorId = 'RegistryCorrupt'; Setup = { param($Project) $v = Get-MlModelVersion diabetes -Environment test -Version 1; $f = Get-Item (Join-Path $v.Location 'files/model.json'); $f.IsReadOnly = $false; Remove-Item $f.FullName }; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'saved') } }
        @{ Name = 'pipeline: a version whose stored file was altered'; Category = 'pipeline'; ErrorId = 'ContentHashMismatch'; Setup = { param($Project) $v = Get-MlModelVersion diabetes -Environment test -Version 1; $f = Get-Item (Join-Path $v.Location 'files/model.json'); $f.IsReadOnly = $false; Set-Content $f.FullName '{ "seed": 666 }' }; Command = { param($Project, $Artifact, $Version) $Version | Save-MlModelArtifact -Path (Join-Path $Project 'saved') } }
    )
    # FIFOs and sockets are Unix's; symbolic links on Windows need Developer Mode or an elevated prompt.
    $badInput = @($badInput | Where-Object { -not $_.UnixOnly -or -not $IsWindows })
    # A quicker loop while working on a few cases: only the bad-input cases whose name is like $env:MLOPS_BADINPUT_FILTER.
    if ($env:MLOPS_BADINPUT_FILTER) { $badInput = @($badInput | Where-Object { $_.Name -like $env:MLOPS_BADINPUT_FILTER }) }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV, $env:MLOPS_SETTINGS
    $env:ENV = $null; $env:MODEL_ENV = $null; $env:MLOPS_SETTINGS = $null
    $python = Find-TestPython
    $env:MLOPS_PYTHON = $python
    # Not in $TestDrive: the cases copy this project many times over and it outlives the Describe blocks.
    $work = Join-Path ([IO.Path]::GetTempPath()) "mlops-resilience-$([guid]::NewGuid().ToString('N'))"
    $base = New-TestProject (Join-Path $work 'base')
    # A model that deploys: the model tests import it, and ServiceTest names the sample and its check.
    Set-Content (Join-Path $base 'models/diabetes/model.py') @'
def initialization(artifact_folder, secrets):
    return None


def predict(data, init_object, secrets):
    return data
'@
    Set-Content (Join-Path $base 'models/diabetes/test_model.py') @'
from models.diabetes.model import predict


class ServiceTest:
    prediction_input = {"x": [1, 2]}

    @staticmethod
    def prediction_check(prediction):
        return prediction == {"x": [1, 2]}


def test_predict_returns_its_input():
    assert predict({"x": 1}, None, {}) == {"x": 1}
'@
    Set-Content (Join-Path $base 'models/diabetes/requirements.model') '# nothing to install'
    $artifact = New-TestArtifact (Join-Path $work 'trained')
    Push-Location $base
    try { $null = Publish-MlModelArtifact diabetes $artifact -Environment test } finally { Pop-Location }
    $other = New-TestProject (Join-Path $work 'other')
    Push-Location $other
    try { $foreignVersion = Publish-MlModelArtifact diabetes $artifact -Environment test } finally { Pop-Location }

    # PowerShell's own parameter binder reports these; every other id must come from an MlOpsException.
    # ParameterArgumentTransformationError: MlOps's [WholeNumber] refusing 1.5 where PowerShell would round it.
    $binderIds = 'InputObjectNotBound', 'ParameterArgumentValidationError', 'ParameterArgumentValidationErrorNullNotAllowed', 'CannotConvertArgumentNoMessage',
        'ParameterArgumentTransformationError'

    # Small tmpfs mounts for the file-system cases (the suite runs as root on Linux, as CI does); unmounted in AfterAll.
    $mounts = [System.Collections.Generic.List[string]]::new()
    function Mount-TestDisk([string] $Path, [switch] $ReadOnly, [switch] $Full) {
        $null = New-Item -ItemType Directory $Path -Force
        & mount -t tmpfs -o $(if ($ReadOnly) { 'ro,size=1m' } else { 'size=256k' }) tmpfs $Path
        if ($LASTEXITCODE) { throw "Cannot mount a tmpfs at $Path (the file-system cases need root on Linux)." }
        $mounts.Add($Path)
        if ($Full) {
            $filler = [IO.File]::OpenWrite((Join-Path $Path 'filler'))
            try { $block = [byte[]]::new(4096); while ($true) { $filler.Write($block, 0, $block.Length); $filler.Flush() } }
            catch [IO.IOException] { }
            finally { try { $filler.Dispose() } catch [IO.IOException] { } }
        }
    }

    function Get-ProjectSnapshot([string] $Folder) {
        # Every file with its size and SHA-256, except caches and build output: Python's and pytest's caches, and the packages
        # and the runtime copy a deploy writes before it runs the model tests (.mlops/packages, .mlops/runtime).
        Get-ChildItem $Folder -Recurse -File -Force | Where-Object {
            $_.FullName -notmatch '[\\/](__pycache__|\.pytest_cache)[\\/]' -and $_.FullName -notmatch '[\\/]\.mlops[\\/](packages|runtime)[\\/]'
        } | Sort-Object FullName | ForEach-Object {
            '{0} {1} {2}' -f $_.FullName.Substring($Folder.Length), $_.Length, (Get-FileHash $_.FullName -Algorithm SHA256).Hash
        }
    }
}

AfterAll {
    $env:ENV, $env:MODEL_ENV, $env:MLOPS_SETTINGS = $savedEnv
    $env:MLOPS_PYTHON = $null
    foreach ($mount in $mounts) { & umount $mount }
    if (Test-Path $work) {
        # Links are left alone (a bad-input case's link may loop, dangle or lead out of $work).
        Get-ChildItem $work -Recurse -File -Force -Attributes !ReparsePoint | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $work -Recurse -Force
    }
}

Describe 'Bad input gets a clear error with a stable ErrorId and changes nothing' -Tag 'Resilience', 'BadInput' {
    It '<Name>' -ForEach $badInput {
        $project = Join-Path $work "case-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        Copy-Item $base $project -Recurse
        Push-Location $project
        $savedVariables = @{}
        try {
            $version = Get-MlModelVersion diabetes -Environment test -Version 1
            if ($Setup) { & $Setup $project }
            if ($Settings) {
                $json = Get-Content mlops.settings.json -Raw | ConvertFrom-Json -AsHashtable
                & $Settings $json
                $json | ConvertTo-Json -Depth 10 | Set-Content mlops.settings.json
            }
            if ($null -ne $Text) { Set-Content mlops.settings.json $Text -NoNewline }
            if ($Env) {
                # Not $name: Pester's case variable $Name is the same variable.
                foreach ($key in $Env.Keys) {
                    $savedVariables[$key] = [Environment]::GetEnvironmentVariable($key)
                    Set-Item "Env:$key" $Env[$key]
                }
            }
            $before = Get-ProjectSnapshot $project

            $record = $null
            try {
                $ErrorActionPreference = 'Stop'
                $null = & $Command $project $artifact $version $foreignVersion
            }
            catch { $record = $_ }
            finally { $ErrorActionPreference = 'Continue' }

            $record | Should -Not -BeNullOrEmpty -Because "$Name must be refused"
            ($record.FullyQualifiedErrorId -split ',')[0] | Should -Be $ErrorId -Because $record.Exception.Message
            $record.Exception.Message | Should -Not -BeNullOrEmpty
            if ($ErrorId -eq 'ParameterArgumentTransformationError') { $record.Exception.Message | Should -Match 'is not a whole number' }
            if ($ErrorId -notin $binderIds) {
                $record.Exception | Should -BeOfType ([MlOps.Diagnostics.MlOpsException])
                $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
            }
            (Get-ProjectSnapshot $project) -join "`n" | Should -Be ($before -join "`n") -Because 'a refused command changes no file'
        }
        finally {
            foreach ($key in $savedVariables.Keys) {
                # Remove what was not set before ([Environment]::SetEnvironmentVariable with $null from PowerShell leaves it set, empty).
                if ($null -eq $savedVariables[$key]) { Remove-Item "Env:$key" -ErrorAction SilentlyContinue } else { Set-Item "Env:$key" $savedVariables[$key] }
            }
            Pop-Location
        }
    }
}

Describe 'Secrets stay out of every output, log, file and request' -Tag 'Resilience', 'Security' {
    BeforeAll {
        # A distinctive fake secret, in the variables MlOps reads and in others a careless dump would show.
        $secret = 'MlOpsFAKE-pester-s3cr3t-Wq8Lz3x'
        $requestLog = Join-Path $work 'emulator-requests.jsonl'
        $cdf = Start-CdfEmulator -ClientSecret $secret -RequestLog $requestLog
        $secure = Join-Path $work 'secure'
        Copy-Item (Join-Path $RepoRoot 'scripts/example') $secure -Recurse
        $settings = Get-Content (Join-Path $secure 'mlops.settings.json') -Raw | ConvertFrom-Json -AsHashtable
        $settings.environments.prod.registry = @{ type = 'cdf'; project = $cdf.Project; baseUrl = $cdf.BaseUrl; tokenUrl = $cdf.TokenUrl
            clientId = $cdf.ClientId; clientSecretVariable = 'MLOPS_PESTER_CDF_SECRET' }
        $settings | ConvertTo-Json -Depth 10 | Set-Content (Join-Path $secure 'mlops.settings.json')
        Push-Location $secure
        try { & $python -c "from models.diabetes.model import train; train('artifacts/diabetes', {})" } finally { Pop-Location }
        $variables = 'MLOPS_PESTER_CDF_SECRET', 'COGNITE_CLIENT_SECRET', 'MLOPS_PESTER_API_TOKEN'
        foreach ($variable in $variables) { Set-Item "Env:$variable" $secret }

        # Everything a user might run, succeeding and failing, with every stream on, in a fresh pwsh with a transcript.
        # The script names the secret only through $env:. Its streams all go to the output (*>&1), which is captured:
        # a child pwsh writes verbose and warning records past a 2>&1 capture otherwise.
        $transcript = Join-Path $work 'secure-transcript.txt'
        $run = @"
`$ErrorActionPreference = 'Continue'; `$ProgressPreference = 'Continue'
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'; `$WarningPreference = 'Continue'
Start-Transcript -Path '$transcript' | Out-Null
& {
Import-Module '$ManifestPath'
Set-Location '$secure'
`$env:MLOPS_PYTHON = '$python'
Test-MlSetting -Detailed | Format-List * | Out-String
Get-MlSetting | Format-List * | Out-String
Get-MlSetting -Environment prod | ConvertTo-Json -Depth 6
Test-MlCdfConnection prod -Detailed | Format-List * | Out-String
`$version = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ r2 = 0.5 }
`$version | Format-List * | Out-String
`$deployment = `$version | Deploy-MlPredictionService
`$deployment | Format-List * | Out-String
Invoke-MlPrediction diabetes -Environment test -Data @{ age = @(0.03); sex = @(0.05); bmi = @(0.06); bp = @(0.02); s1 = @(-0.04); s2 = @(-0.03); s3 = @(-0.04); s4 = @(0.0); s5 = @(0.02); s6 = @(-0.01) } | Format-List * | Out-String
Invoke-MlPrediction diabetes -Environment test -Json '{"age": "not numbers"}'
Get-MlServiceLog diabetes -Environment test | Format-List * | Out-String
`$promoted = `$version | Publish-MlModelArtifact -Environment prod -Confirm:`$false
`$promoted | Format-List * | Out-String
`$promoted | Save-MlModelArtifact -Path ./saved
Get-MlModelVersion | Format-List * | Out-String
Get-MlService | Format-List * | Out-String
Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment prod -Metadata @{ notes = 'x' * 10000 } -Confirm:`$false
Connect-MlCdf prod -Secret (ConvertTo-SecureString `$env:MLOPS_PESTER_CDF_SECRET -AsPlainText -Force) | Format-List * | Out-String
Disconnect-MlCdf prod
`$real = `$env:MLOPS_PESTER_CDF_SECRET
`$env:MLOPS_PESTER_CDF_SECRET = `$real + '-wrong'
Get-MlModelVersion -Environment prod
Test-MlCdfConnection prod -Detailed | Format-List * | Out-String
Remove-Item Env:MLOPS_PESTER_CDF_SECRET
Get-MlModelVersion -Environment prod
`$env:MLOPS_PESTER_CDF_SECRET = `$real
Get-MlService | Remove-MlService -Force -Confirm:`$false
`$Error | Format-List * -Force | Out-String
`$Error | ForEach-Object { `$_.Exception.ToString() }
} *>&1 | Out-String -Width 400 -Stream
Stop-Transcript | Out-Null
"@
        $output = (Invoke-FreshPwsh -Script $run -AllowFailure) -join "`n"
        # The emulator writes its request log every 200 ms: wait until it has stopped growing (bounded), not a fixed time.
        $settled = [Diagnostics.Stopwatch]::StartNew(); $lastLength = -1; $stable = 0
        while ($stable -lt 3 -and $settled.Elapsed.TotalSeconds -lt 15) {
            $length = if (Test-Path $requestLog) { (Get-Item $requestLog).Length } else { 0 }
            if ($length -gt 0 -and $length -eq $lastLength) { $stable++ } else { $stable = 0 }
            $lastLength = $length
            [Threading.Thread]::Sleep(250)
        }

        function Test-SecretInFile([string] $Path) {
            # The file's bytes, and for a zip (service packages) each entry, for a gzip (registry archives) its content.
            $needle = [Text.Encoding]::UTF8.GetBytes($secret)
            $bytes = [IO.File]::ReadAllBytes($Path)
            $texts = [Collections.Generic.List[byte[]]]::new()
            $texts.Add($bytes)
            if ($bytes.Length -gt 2 -and $bytes[0] -eq 0x1f -and $bytes[1] -eq 0x8b) {
                $gzip = [IO.Compression.GZipStream]::new([IO.MemoryStream]::new($bytes), [IO.Compression.CompressionMode]::Decompress)
                $plain = [IO.MemoryStream]::new(); $gzip.CopyTo($plain); $texts.Add($plain.ToArray())
            }
            elseif ($bytes.Length -gt 4 -and $bytes[0] -eq 0x50 -and $bytes[1] -eq 0x4b) {
                $zip = [IO.Compression.ZipArchive]::new([IO.MemoryStream]::new($bytes))
                foreach ($entry in $zip.Entries) { $plain = [IO.MemoryStream]::new(); $entry.Open().CopyTo($plain); $texts.Add($plain.ToArray()) }
            }
            foreach ($text in $texts) { if ([Text.Encoding]::UTF8.GetString($text).Contains($secret)) { return $true } }
            $false
        }
    }

    AfterAll {
        # The tour removes its service itself; if it stopped early, the service process must not outlive the suite.
        Push-Location $secure
        try { Get-MlService -ErrorAction SilentlyContinue | Remove-MlService -Force -Confirm:$false -ErrorAction SilentlyContinue } finally { Pop-Location }
        Stop-CdfEmulator $cdf
        foreach ($variable in $variables) { Remove-Item "Env:$variable" -ErrorAction SilentlyContinue }
    }

    It 'is not printed by the standalone emulator it was given to' {
        # Given through --client-secret-variable (Start-CdfEmulator), never on the command line nor echoed back.
        $cdf.Started | Should -Match 'client secret: the one you gave \(not shown\)'
        $cdf.Started | Should -Not -Match ([regex]::Escape($secret))
        $cdf.Process.StartInfo.ArgumentList -join ' ' | Should -Not -Match ([regex]::Escape($secret))
    }

    It 'ran the whole tour: publish, deploy, call, promote to CDF, save, and the failures' {
        $output | Should -Match 'diabetes/test/1'
        $output | Should -Match 'Stored diabetes/test/1 \('   # a verbose message: every stream was captured
        $output | Should -Match 'was promoted|Promot|diabetes/prod/1'
        $output | Should -Match 'diabetes/prod/1'
        $output | Should -Match 'CdfAuthenticationFailed|refused the client credentials'
        $output | Should -Match 'MLOPS_PESTER_CDF_SECRET'   # the missing variable is named, its value never
        $output | Should -Match 'InvalidMetadata|10240'
        Get-ChildItem (Join-Path $secure '.mlops/packages') -Filter *.zip | Should -Not -BeNullOrEmpty
        Get-ChildItem (Join-Path $secure 'saved') -Recurse -File | Should -Not -BeNullOrEmpty
        Test-Path $transcript | Should -BeTrue
    }

    It 'shows the secret in no output stream and not in the transcript' {
        $output.Contains($secret) | Should -BeFalse
        (Get-Content $transcript -Raw).Contains($secret) | Should -BeFalse
    }

    It 'writes the secret into no file: settings, registry, archives, packages, service logs' {
        $files = Get-ChildItem $secure -Recurse -File -Force
        $files.Count | Should -BeGreaterThan 20
        $leaks = $files | Where-Object { Test-SecretInFile $_.FullName }
        $leaks.FullName | Should -BeNullOrEmpty
    }

    It 'sends the secret to the emulator only in the body of token requests' {
        $requests = Get-Content $requestLog | ConvertFrom-Json
        $requests.Count | Should -BeGreaterThan 10
        $carrying = @($requests | Where-Object { ($_ | ConvertTo-Json -Depth 5 -Compress).Contains($secret) })
        $carrying.Count | Should -BeGreaterThan 0
        foreach ($request in $carrying) {
            $request.route | Should -Be 'POST /oauth2/token'
            $request.query | Should -Not -Match ([regex]::Escape($secret))
            ($request.headers | ConvertTo-Json -Compress).Contains($secret) | Should -BeFalse
        }
    }

    It 'rejects settings holding the secret literally, and does not print it' {
        $literal = Join-Path $work 'literal'
        Copy-Item $secure $literal -Recurse -Exclude '.mlops'
        $settings = Get-Content (Join-Path $literal 'mlops.settings.json') -Raw | ConvertFrom-Json -AsHashtable
        foreach ($edit in @(
                { param($s) $s.environments.prod.registry.clientSecret = $secret },
                { param($s) $s.environments.prod.registry.baseUrl = $cdf.BaseUrl.Replace('http://', "http://ci:$secret@") },
                { param($s) $s.environments.prod.registry.clientSecretVariable = $secret },
                { param($s) $s.models[0].apiKey = $secret })) {
            $copy = $settings | ConvertTo-Json -Depth 10 | ConvertFrom-Json -AsHashtable
            & $edit $copy
            $copy | ConvertTo-Json -Depth 10 | Set-Content (Join-Path $literal 'mlops.settings.json')
            Push-Location $literal
            try {
                $all = & {
                    Test-MlSetting -Detailed | Format-List * | Out-String
                    Test-MlSetting -WarningAction Continue
                    Get-MlModelVersion -Environment prod -ErrorAction Continue
                } *>&1 | Out-String
                { Get-MlSetting -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSettings,MlOps.PowerShell.Commands.GetMlSettingCommand'
                $all | Should -Match 'secret|credentials|variable'
                $all.Contains($secret) | Should -BeFalse
            }
            finally { Pop-Location }
        }
    }
}
