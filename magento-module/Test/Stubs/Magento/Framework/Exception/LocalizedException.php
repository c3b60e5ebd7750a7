<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Exception;

use Magento\Framework\Phrase;

/**
 * Test stand-in for Magento's localized exception.
 */
class LocalizedException extends \Exception
{
    private Phrase $phrase;

    /**
     * Keep the phrase as the message.
     *
     * @param Phrase $phrase
     * @param \Exception|null $cause
     * @param int $code
     */
    public function __construct(Phrase $phrase, ?\Exception $cause = null, $code = 0)
    {
        $this->phrase = $phrase;
        parent::__construct($phrase->render(), (int) $code, $cause);
    }

    /**
     * Return the untranslated message text.
     *
     * @return string
     */
    public function getRawMessage()
    {
        return $this->phrase->getText();
    }
}
