package gait

import "fmt"

// Placement is where the sensor was worn.
type Placement string

// The placements legwork knows. LowerBack (a belt or waistband at the small
// of the back, L4–L5) is the placement the app asks for: it is the only one
// where stride length and walking speed can be estimated.
const (
	LowerBack   Placement = "lower_back"
	WaistBelt   Placement = "waist_belt"
	FrontPocket Placement = "front_pocket"
	BackPocket  Placement = "back_pocket"
	Hand        Placement = "hand"
	HandSwing   Placement = "hand_swinging"
	Armband     Placement = "armband"
	NeckPouch   Placement = "neck_pouch"
	Bag         Placement = "bag"
	Unknown     Placement = ""
)

// Placements lists the known placements (Unknown excluded).
var Placements = []Placement{LowerBack, WaistBelt, FrontPocket, BackPocket, Hand, HandSwing, Armband, NeckPouch, Bag}

// ParsePlacement maps a name to a Placement; "" and "unknown" give Unknown.
// Common aliases ("purse" for bag, "pocket" for front_pocket, "belt") are
// accepted.
func ParsePlacement(s string) (Placement, error) {
	switch s {
	case "", "unknown":
		return Unknown, nil
	case "purse", "handbag":
		return Bag, nil
	case "pocket", "trouser_pocket":
		return FrontPocket, nil
	case "belt", "waist":
		return WaistBelt, nil
	case "swinging_arm", "hand_swing":
		return HandSwing, nil
	}
	for _, p := range Placements {
		if string(p) == s {
			return p, nil
		}
	}
	return Unknown, fmt.Errorf("unknown placement %q (want one of lower_back, waist_belt, front_pocket, back_pocket, hand, hand_swinging, armband, neck_pouch, bag)", s)
}

// Trunk reports whether the placement moves with the trunk near the centre
// of mass, so that the inverted-pendulum stride-length model applies.
func (p Placement) Trunk() bool { return p == LowerBack || p == WaistBelt }
