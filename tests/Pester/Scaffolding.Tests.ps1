# New-MlProject and Add-MlModel through the built module: a new project tests and deploys at once.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV
    $env:ENV = $null; $env:MODEL_ENV = $null
    # Not in $TestDrive: Pester empties it per block, and deploys leave packages and service state in the project.
    $root = Join-Path ([IO.Path]::GetTempPath()) "mlops-pester-scaffold-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $root | Out-Null

    function Get-Listing([string] $Folder) {
        if (-not (Test-Path $Folder)) { return @() }
        @(Get-ChildItem $Folder -Recurse -Force | ForEach-Object { [IO.Path]::GetRelativePath($Folder, $_.FullName) } | Sort-Object)
    }
}

AfterAll {
    Get-ChildItem $root -Recurse -File -ErrorAction SilentlyContinue | ForEach-Object { $_.IsReadOnly = $false }
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
    $env:ENV, $env:MODEL_ENV = $savedEnv
}

Describe 'A new project' {
    BeforeAll {
        $project = New-MlProject (Join-Path $root 'forecast') -ModelName demand -CiSystem Bitbucket
        Push-Location $project.ProjectRoot
    }

    AfterAll {
        Pop-Location
    }

    It 'holds the settings, the model, its tests, pinned requirements, common code, a .gitignore and the pipeline' {
        $project | Should -BeOfType ([MlOps.Scaffolding.ProjectScaffold])
        $project.ProjectName | Should -Be 'forecast'
        $project.CiSystem | Should -Be 'Bitbucket'
        $project.Files.Path | Should -Contain 'mlops.settings.json'
        $project.Files.Path | Should -Contain 'models/demand/model.py'
        $project.Files.Path | Should -Contain 'models/demand/test_model.py'
        $project.Files.Path | Should -Contain 'models/demand/requirements.model'
        $project.Files.Path | Should -Contain 'models/common_code/validation.py'
        $project.Files.Path | Should -Contain 'bitbucket-pipelines.yml'
        $project.Files | Should -BeOfType ([MlOps.Scaffolding.ScaffoldedFile])
        $project.Files.Status | Sort-Object -Unique | Should -Be 'Created'
        Get-Content (Join-Path $project.ProjectRoot '.gitignore') | Should -Contain 'artifacts/'
        Get-Content (Join-Path $project.ProjectRoot '.gitignore') | Should -Contain '.mlops/'
        Get-Content (Join-Path $project.ProjectRoot 'models/demand/requirements.model') | Where-Object { $_ -notmatch '^\s*(#|$)' } |
            ForEach-Object { $_ | Should -Match '^[A-Za-z0-9._-]+==\S+$' }
        (Get-Content (Join-Path $project.ProjectRoot 'models/demand/model.py') -Raw) |
            Should -Match '(?s)def train\(folder_path, secrets\).*def initialization\(artifact_folder, secrets\).*def predict\(data, init_object, secrets\)'
    }

    It 'trained its first artifact with the model''s own train()' {
        $project.Models | Should -HaveCount 1
        $model = $project.Models[0]
        $model.Name | Should -Be 'demand'
        $model.ArtifactTrained | Should -BeTrue
        [double]$model.TrainingMetadata['r2'] | Should -BeGreaterThan 0.9
        Join-Path $project.ProjectRoot 'artifacts/demand/model.json' | Should -Exist
        (Get-MlModelVersion demand -Environment dev).ModelId | Should -Be 'demand/dev/1'
    }

    It 'passes Test-MlSetting with no warning' {
        Test-MlSetting -WarningVariable warnings | Should -BeTrue
        $warnings | Should -BeNullOrEmpty
        (Get-MlSetting).Models.Name | Should -Be 'demand'
    }

    It 'passes Deploy-MlPredictionService -TestOnly and Deploy-MlTrainingService -TestOnly at once' {
        $tested = $project.Models | Deploy-MlPredictionService -Environment dev -TestOnly
        $tested.Status | Should -Be 'Tested'
        $tested.ModelId | Should -Be 'demand/dev/1'
        $tested.TestResults.Test | Should -Be @('model tests', 'package service test')
        $tested.TestResults.Passed | Should -Be @($true, $true)

        $training = Deploy-MlTrainingService demand -Environment dev -TestOnly
        $training.TestResults.Passed | Should -Be @($true, $true)
    }

    It 'gets a second model from Add-MlModel that also passes, with the other settings kept as they were' {
        $before = Get-Content mlops.settings.json -Raw
        $model = Add-MlModel churn
        $model | Should -BeOfType ([MlOps.Scaffolding.ModelScaffold])
        $model.ArtifactTrained | Should -BeTrue
        ($model.Files | Where-Object Kind -eq Settings).Status | Should -Be 'Updated'

        $after = Get-Content mlops.settings.json -Raw
        $cut = $before.IndexOf("`n  ],")
        $after.Substring(0, $cut) | Should -BeExactly $before.Substring(0, $cut)
        $after.EndsWith($before.Substring($cut)) | Should -BeTrue
        Test-MlSetting | Should -BeTrue
        (Get-MlSetting).Models.Name | Should -Be @('demand', 'churn')

        $tested = $model | Deploy-MlPredictionService -Environment dev -TestOnly
        $tested.ModelId | Should -Be 'churn/dev/1'
        $tested.TestResults.Passed | Should -Be @($true, $true)
    }

    It 'refuses a model the settings already define, and an invalid name' {
        { Add-MlModel CHURN -ErrorAction Stop } | Should -Throw -ErrorId 'ModelAlreadyExists,MlOps.PowerShell.Commands.AddMlModelCommand'
        { Add-MlModel 'my-model' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidModelName,MlOps.PowerShell.Commands.AddMlModelCommand'
        'models/my-model' | Should -Not -Exist
    }

    It 'shows compact tables for projects, models and files' {
        ($project | Out-String -Width 200) | Should -Match 'ProjectName\s+Models\s+CiSystem\s+Files\s+Trained\s+ProjectRoot'
        ($project | Out-String -Width 200) | Should -Match 'forecast\s+demand\s+Bitbucket\s+11\s+True'
        ($project.Models | Out-String -Width 200) | Should -Match 'Name\s+Services\s+Files\s+Trained\s+TrainingMetadata\s+CodeFolder'
        ($project.Files | Out-String -Width 200) | Should -Match 'Status\s+Kind\s+Path'
        ($project.Files | Out-String -Width 200) | Should -Match 'Created\s+Model\s+models/demand/model.py'
    }
}

Describe 'Changes only when asked' {
    It 'creates nothing with -WhatIf' {
        $path = Join-Path $root 'whatif'
        New-MlProject $path -WhatIf | Should -BeNullOrEmpty
        $path | Should -Not -Exist

        $existing = New-MlProject (Join-Path $root 'whatif-add') -CiSystem None -NoTraining
        $before = Get-Listing $existing.ProjectRoot
        $settings = Get-Content $existing.SettingsPath -Raw
        Add-MlModel second -SettingsPath $existing.ProjectRoot -WhatIf | Should -BeNullOrEmpty
        Get-Listing $existing.ProjectRoot | Should -Be $before
        Get-Content $existing.SettingsPath -Raw | Should -BeExactly $settings
    }

    It 'does not overwrite existing files without -Force, and replaces them with it' {
        $path = Join-Path $root 'existing'
        New-Item -ItemType Directory -Path (Join-Path $path 'models/my_model') -Force | Out-Null
        Set-Content (Join-Path $path 'models/my_model/model.py') '# my own model'
        $before = Get-Listing $path

        { New-MlProject $path -ErrorAction Stop } | Should -Throw -ErrorId 'ProjectFileExists,MlOps.PowerShell.Commands.NewMlProjectCommand'
        New-MlProject $path -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
        $failure[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        $failure[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Listing $path | Should -Be $before
        Get-Content (Join-Path $path 'models/my_model/model.py') | Should -Be '# my own model'

        $project = New-MlProject $path -Force -NoTraining
        ($project.Files | Where-Object Path -eq 'models/my_model/model.py').Status | Should -Be 'Replaced'
        Get-Content (Join-Path $path 'models/my_model/model.py') -Raw | Should -Match 'def predict'
    }

    It 'keeps a model''s existing folder unless -Force, and then leaves the settings entry to be added once' {
        $project = New-MlProject (Join-Path $root 'partial') -CiSystem None -NoTraining
        New-Item -ItemType Directory -Path (Join-Path $project.ProjectRoot 'models/draft') | Out-Null
        Set-Content (Join-Path $project.ProjectRoot 'models/draft/model.py') '# draft'
        { Add-MlModel draft -SettingsPath $project.SettingsPath -NoTraining -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProjectFileExists,MlOps.PowerShell.Commands.AddMlModelCommand'
        (Get-MlSetting -SettingsPath $project.SettingsPath).Models.Name | Should -Be 'my_model'

        $model = Add-MlModel draft -SettingsPath $project.SettingsPath -NoTraining -Force
        ($model.Files | Where-Object Path -eq 'models/draft/model.py').Status | Should -Be 'Replaced'
        (Get-MlSetting -SettingsPath $project.SettingsPath).Models.Name | Should -Be @('my_model', 'draft')
    }

    It 'takes project folders and model names from the pipeline' {
        $projects = (Join-Path $root 'p1'), (Join-Path $root 'p2') | New-MlProject -CiSystem AzureDevOps -NoTraining
        $projects.ProjectName | Should -Be @('p1', 'p2')
        Join-Path $root 'p2/azure-pipelines.yml' | Should -Exist
        $models = 'alpha', 'beta' | Add-MlModel -SettingsPath (Join-Path $root 'p1') -NoTraining
        $models.Name | Should -Be @('alpha', 'beta')
        (Get-MlSetting -SettingsPath (Join-Path $root 'p1')).Models.Name | Should -Be @('my_model', 'alpha', 'beta')
    }
}
