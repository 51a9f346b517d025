import { Gcs } from "../../../src/layers/gcp/index.js"
import { objectStorageContract } from "../../contract/ObjectStorage.js"
import { gcsOnFake } from "./support.js"

// GCS refuses keys with CR or LF (https://cloud.google.com/storage/docs/objects#naming): they must be InvalidInput.
objectStorageContract("gcs (in-process GCS JSON API)", gcsOnFake(), { refusesKey: Gcs.isRefusedKey })
