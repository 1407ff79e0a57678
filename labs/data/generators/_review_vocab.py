"""Word lists and sentence templates for the reviews generator (all original text).

Placeholders: {product}, {aspect}, {pos}, {neg}, {mid}, {very}, {person}, {time},
{days}. A sentence is chosen by polarity: "pos", "neg", "mid" (mixed or lukewarm) and
"fact" (no opinion: context, shipping).
"""

from __future__ import annotations

# fmt: off
# category: products, aspects, category-specific positive and negative sentences
CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "electronics": {
        "products": ("headphones", "phone charger", "bluetooth speaker", "keyboard",
                     "webcam", "smartwatch", "power bank", "mouse"),
        "aspects": ("battery life", "sound quality", "screen", "build quality", "connection",
                    "setup", "buttons", "charging speed"),
        "pos": ("Pairing with my phone took seconds.", "The battery easily lasts a full day.",
                "Sound is crisp and clear even at high volume.",
                "Setup was painless, it just worked out of the box.",
                "Charges my phone twice on a single charge."),
        "neg": ("It keeps disconnecting from my laptop.", "The battery barely lasts two hours.",
                "It stopped charging after a week.", "There is a constant buzzing noise.",
                "The app crashes every time I open it.", "Gets really hot while charging."),
    },
    "kitchen": {
        "products": ("blender", "frying pan", "knife set", "coffee maker", "toaster",
                     "mixing bowls", "kettle", "cutting board"),
        "aspects": ("handle", "non-stick coating", "blade", "lid", "temperature control",
                    "cleanup", "motor", "size"),
        "pos": ("Cleanup takes a minute.", "Heats evenly and nothing sticks.",
                "The knives are still sharp after months of daily use.",
                "Makes a great cup of coffee every morning.", "Smoothies come out silky."),
        "neg": ("The coating started peeling after a few uses.",
                "It leaks from the lid every time.",
                "The motor smells like burning plastic.", "Rust spots appeared after one wash.",
                "The handle gets too hot to touch.", "It takes forever to boil water."),
    },
    "books": {
        "products": ("novel", "cookbook", "biography", "thriller", "picture book", "textbook",
                     "short story collection", "travel guide"),
        "aspects": ("plot", "characters", "writing", "ending", "illustrations", "pacing",
                    "recipes", "translation"),
        "pos": ("I could not put it down.", "The characters feel like real people.",
                "Finished it in one weekend.", "Every recipe I tried turned out well.",
                "Beautifully written from the first page to the last."),
        "neg": ("The plot goes nowhere.", "I gave up halfway through.",
                "The ending felt rushed and lazy.", "Full of spelling mistakes and errors.",
                "Half the recipes call for ingredients nobody has.",
                "Boring, predictable and far too long."),
    },
    "clothing": {
        "products": ("jacket", "jeans", "sweater", "running shoes", "dress", "t-shirt",
                     "rain coat", "socks"),
        "aspects": ("fit", "fabric", "stitching", "color", "sizing", "zipper", "material",
                    "comfort"),
        "pos": ("Fits true to size.", "The fabric feels soft and warm.",
                "Still looks new after many washes.", "I get compliments every time I wear it.",
                "Comfortable enough to wear all day."),
        "neg": ("It shrank after the first wash.", "The color faded quickly.",
                "The seams came apart within a month.", "Runs two sizes small.",
                "The zipper broke the second time I used it.", "Itchy and see-through."),
    },
    "toys": {
        "products": ("puzzle", "building set", "doll", "board game", "remote control car",
                     "plush toy", "train set", "art kit"),
        "aspects": ("pieces", "instructions", "durability", "packaging", "colors",
                    "battery compartment", "box"),
        "pos": ("My kids play with it every day.", "Kept the whole family entertained.",
                "Sturdy enough for a toddler.", "Game night is a lot more fun now.",
                "Our daughter has not put it down since her birthday."),
        "neg": ("Pieces were missing from the box.", "It broke on the first day.",
                "The instructions make no sense.", "The paint chipped off almost immediately.",
                "My son lost interest after ten minutes.", "Sharp edges, not safe for kids."),
    },
    "beauty": {
        "products": ("moisturizer", "shampoo", "lipstick", "face serum", "sunscreen",
                     "hair dryer", "body lotion", "face mask"),
        "aspects": ("scent", "texture", "packaging", "results", "ingredients", "pump",
                    "consistency"),
        "pos": ("My skin feels so much smoother.", "A little goes a long way.",
                "The scent is light and fresh.", "My hair has never looked this shiny.",
                "Absorbs quickly and is not greasy."),
        "neg": ("It gave me a rash.", "The smell is overwhelming.", "Did nothing for my skin.",
                "Left my hair dry and tangled.", "The pump stopped working halfway through.",
                "Feels sticky and greasy all day."),
    },
    "sports": {
        "products": ("yoga mat", "dumbbells", "water bottle", "tennis racket", "bike helmet",
                     "resistance bands", "jump rope", "gym bag"),
        "aspects": ("grip", "weight", "material", "padding", "size", "strap", "handle"),
        "pos": ("The grip is excellent even when sweaty.", "Perfect for my morning workouts.",
                "Keeps water cold all day.", "Light but feels very strong.",
                "Made my home workouts so much better."),
        "neg": ("The mat tears easily.", "The bottle leaks in my bag.",
                "The band snapped on the second use.", "It smells like chemicals.",
                "The strap broke during my first run.", "Way too slippery to use safely."),
    },
    "home": {
        "products": ("desk lamp", "pillow", "curtains", "storage box", "wall clock",
                     "vacuum cleaner", "rug", "shelf"),
        "aspects": ("assembly", "brightness", "material", "size", "noise level", "design",
                    "suction", "finish"),
        "pos": ("Assembly took ten minutes.", "Looks great in our living room.",
                "Quiet and powerful.", "I finally sleep through the night.",
                "Picks up every bit of dog hair."),
        "neg": ("Way louder than I expected.", "Arrived with a cracked corner.",
                "Assembly took hours and two screws were missing.",
                "The clock ticks so loudly we moved it out of the bedroom.",
                "Lost its shape after a week.", "The light flickers constantly."),
    },
}

POS_ADJ = ("great", "excellent", "fantastic", "solid", "wonderful", "amazing", "superb",
           "impressive", "sturdy", "reliable", "comfortable", "lovely", "good", "nice",
           "perfect", "outstanding", "brilliant", "well made")
NEG_ADJ = ("terrible", "awful", "flimsy", "cheap", "poor", "disappointing", "horrible",
           "useless", "bad", "weak", "frustrating", "defective", "unreliable", "shoddy",
           "clumsy", "annoying")
MID_ADJ = ("okay", "fine", "decent", "average", "acceptable", "passable", "so-so", "alright",
           "reasonable", "adequate", "ordinary", "standard")
VERY = ("very", "really", "quite", "super", "extremely", "pretty", "incredibly",
        "surprisingly", "so", "", "", "")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "pos": (
        "The {aspect} is {very} {pos}.",
        "The {aspect} is {pos}, exactly what I wanted.",
        "I love the {aspect}.",
        "Really happy with the {aspect}.",
        "The {aspect} is not {neg} at all.",
        "No complaints about the {aspect}.",
        "Can't say anything bad about the {aspect}.",
        "Love it!",
        "This is the best {product} I have ever owned.",
        "Exceeded my expectations.",
        "Great value for the money.",
        "Works exactly as described.",
        "Never had a single problem with it.",
        "The {product} is {very} {pos} and the {aspect} is {pos} too.",
        "My {person} loves it.",
        "Would definitely buy again.",
        "Highly recommend this {product}.",
        "Worth every penny.",
        "I was worried at first but the {aspect} turned out {very} {pos}.",
        "Honestly the {aspect} surprised me, it is {pos}.",
    ),
    "neg": (
        "The {aspect} is {very} {neg}.",
        "Not happy with the {aspect}.",
        "The {aspect} is not {pos}.",
        "The {aspect} isn't {pos} at all.",
        "I was disappointed by the {aspect}.",
        "Honestly the {aspect} could be a lot better.",
        "Complete waste of money.",
        "Worst purchase I have made this year.",
        "Does not work as advertised.",
        "Very disappointed.",
        "I want my money back.",
        "Would not recommend this {product} to anyone.",
        "Returning it.",
        "Save your money and buy something else.",
        "The {product} looks {pos} in the photos but the {aspect} is {neg}.",
        "I really wanted to like this {product} but the {aspect} is {neg}.",
        "Customer service never answered my emails.",
        "Don't bother.",
        "Not worth the price.",
        "My {person} didn't like it either.",
    ),
    "mid": (
        "The {aspect} is {mid}.",
        "The {aspect} is {mid} but nothing special.",
        "The {aspect} is fine, not great, not terrible.",
        "The {aspect} is about what you would expect for the price.",
        "It is okay for the price.",
        "Does what it says, nothing more.",
        "Mixed feelings about this one.",
        "Not bad, not great.",
        "Average {product}.",
        "It works but I expected more.",
        "The {aspect} is {pos} but the {aspect2} is {neg}.",
        "The {aspect} is not bad, though the {aspect2} is only {mid}.",
        "Not sure I would buy it again.",
        "It does the job, I guess.",
        "Some things I like, some I don't.",
        "It's {mid}, I might keep it.",
    ),
    "fact": (
        "I bought this {product} for my {person} {time}.",
        "Ordered the {product} after reading a lot of reviews.",
        "We have been using this {product} for {time_span} now.",
        "Got this as a gift for my {person}.",
        "Shipping took {days} days.",
        "Arrived on time in a plain box.",
        "The package came a day early.",
        "This is my second {product} from this brand.",
        "I use it almost every day.",
        "I needed a new {product} because my old one broke.",
        "Picked the blue one.",
        "The box had a small dent but the {product} was fine.",
        "It was on sale when I bought it.",
        "I compared a few brands before choosing this one.",
    ),
}
PERSON = ("son", "daughter", "wife", "husband", "mom", "dad", "sister", "brother", "friend",
          "grandmother", "roommate", "partner", "coworker", "kids")
TIME = ("last week", "last month", "a few days ago", "for christmas", "for her birthday",
        "in the spring", "two weeks ago", "yesterday", "over the weekend")
TIME_SPAN = ("two weeks", "a month", "three months", "half a year", "almost a year", "a few days")

# Aspects and products that take "are" rather than "is".
PLURALS = frozenset(
    {"headphones", "buttons", "mixing bowls", "characters", "illustrations", "recipes",
     "jeans", "running shoes", "socks", "pieces", "instructions", "colors", "ingredients",
     "dumbbells", "resistance bands", "curtains"}
)

# Common misspellings a sloppy writer makes (correct -> typo).
MISSPELLINGS = {
    "received": "recieved", "definitely": "definately", "disappointed": "dissapointed",
    "really": "realy", "because": "becuase", "quality": "qaulity", "recommend": "reccomend",
    "expected": "expeted", "comfortable": "confortable", "money": "mony",
    "worth": "wroth", "great": "grate", "their": "thier", "would": "woud",
    "terrible": "terible", "excellent": "excelent", "definitely buy": "defintely buy",
}
# fmt: on
